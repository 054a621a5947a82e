import Testing

@testable import Evolve

/// Determinism, replay, bounds and refusals of `CMAES`.
@Suite struct CMAESTests {
    /// Candidates and fitness of a sphere run, generation by generation.
    static func record(
        seed: UInt64, generations: Int, settings: CMAESSettings? = nil
    ) throws -> (
        candidates: [[[Double]]], fitness: [[Double]]
    ) {
        var es = try CMAES(mean: [0.5, -0.3, 0.2, 0.8], settings: settings ?? CMAESSettings(sigma0: 0.3, seed: seed))
        var candidates: [[[Double]]] = []
        var fitness: [[Double]] = []
        for _ in 0..<generations {
            let asked = es.ask()
            let values = asked.map(BenchmarkFunction.sphere)
            try es.tell(values)
            candidates.append(asked)
            fitness.append(values)
        }
        return (candidates, fitness)
    }

    @Test func sameSeedGivesIdenticalRuns() throws {
        let first = try Self.record(seed: 42, generations: 10)
        let second = try Self.record(seed: 42, generations: 10)
        #expect(first.candidates == second.candidates)
        #expect(first.fitness == second.fitness)
    }

    @Test func differentSeedsGiveDifferentCandidates() throws {
        let first = try Self.record(seed: 1, generations: 1)
        let second = try Self.record(seed: 2, generations: 1)
        #expect(first.candidates != second.candidates)
    }

    /// `smelt evolve` resumes by replaying journaled fitness through a fresh instance with the same seed.
    @Test func replayingJournaledFitnessReproducesCandidates() throws {
        let original = try Self.record(seed: 7, generations: 10)
        var replay = try CMAES(mean: [0.5, -0.3, 0.2, 0.8], settings: CMAESSettings(sigma0: 0.3, seed: 7))
        var replayed: [[[Double]]] = []
        for fitness in original.fitness {
            replayed.append(replay.ask())
            try replay.tell(fitness)
        }
        #expect(replayed == original.candidates)
        #expect(replay.generation == 10)
        #expect(replay.evaluationCount == 10 * replay.populationSize)
    }

    @Test func askBeforeTellReturnsTheSameCandidates() throws {
        var es = try CMAES(mean: [1, 2, 3], settings: CMAESSettings(sigma0: 1, seed: 3))
        #expect(es.ask() == es.ask())
    }

    @Test func defaultPopulationSizeIsFourPlusThreeLogN() throws {
        let sizes = try [1, 2, 5, 10, 100].map {
            try CMAES(mean: .init(repeating: 0, count: $0), settings: .init(sigma0: 1, seed: 0)).populationSize
        }
        #expect(sizes == [4, 6, 8, 10, 17])
    }

    @Test func bestTracksTheLowestToldFitness() throws {
        var es = try CMAES(mean: [0, 0], settings: CMAESSettings(sigma0: 1, seed: 5))
        #expect(es.bestFitness == .infinity)
        let candidates = es.ask()
        let fitness = candidates.indices.map { Double(10 - $0) }
        try es.tell(fitness)
        #expect(es.bestFitness == fitness.min())
        #expect(es.bestSolution == candidates[candidates.count - 1])
    }

    @Test func everyAskedPointIsInsideTheBounds() throws {
        let lower: [Double] = [-1, 0, -.infinity, 2]
        let upper: [Double] = [1, 0.1, 0, .infinity]
        let settings = CMAESSettings(sigma0: 3, seed: 11, lowerBounds: lower, upperBounds: upper)
        var es = try CMAES(mean: [0.9, 0.05, -1, 2], settings: settings)
        for _ in 0..<30 {
            let candidates = es.ask()
            for candidate in candidates {
                for i in candidate.indices { #expect(candidate[i] >= lower[i] && candidate[i] <= upper[i]) }
            }
            try es.tell(candidates.map { BenchmarkFunction.sphere($0.map { $0 - 5 }) })
        }
    }

    /// Σ (x_i − 2)² in [−1, 1]⁵ has its optimum at the corner (1, …, 1).
    @Test func optimumOutsideTheBoxConvergesToTheBoundary() throws {
        let n = 5
        let settings = CMAESSettings(
            sigma0: 0.5, seed: 9, lowerBounds: .init(repeating: -1, count: n),
            upperBounds: .init(repeating: 1, count: n))
        var es = try CMAES(mean: .init(repeating: 0, count: n), settings: settings)
        for _ in 0..<300 {
            try es.tell(es.ask().map { BenchmarkFunction.sphere($0.map { $0 - 2 }) })
        }
        for value in es.mean { #expect(abs(value - 1) < 1e-6) }
        #expect(abs(es.bestFitness - Double(n)) < 1e-6)
        #expect(es.sigma < 1e-6)
    }

    @Test func tellWithTheWrongCountIsRefused() throws {
        var es = try CMAES(mean: [0, 0, 0], settings: CMAESSettings(sigma0: 1, seed: 1))
        let candidates = es.ask()
        #expect(throws: CMAESError.fitnessCountMismatch(expected: candidates.count, found: 2)) {
            try es.tell([1, 2])
        }
        // The refused tell leaves the generation open.
        try es.tell(candidates.map(BenchmarkFunction.sphere))
        #expect(es.generation == 1)
    }

    @Test func tellWithoutAskIsRefused() throws {
        var es = try CMAES(mean: [0, 0], settings: CMAESSettings(sigma0: 1, seed: 1))
        #expect(throws: CMAESError.tellWithoutAsk) { try es.tell([1, 2, 3, 4, 5, 6]) }
        let candidates = es.ask()
        try es.tell(candidates.map(BenchmarkFunction.sphere))
        #expect(throws: CMAESError.tellWithoutAsk) { try es.tell(candidates.map(BenchmarkFunction.sphere)) }
    }

    @Test func nanFitnessIsRefused() throws {
        var es = try CMAES(mean: [0, 0], settings: CMAESSettings(sigma0: 1, seed: 1))
        var fitness = es.ask().map(BenchmarkFunction.sphere)
        fitness[3] = .nan
        #expect(throws: CMAESError.fitnessIsNaN(index: 3)) { try es.tell(fitness) }
    }

    static let refusals: [(mean: [Double], settings: CMAESSettings, error: CMAESError)] = [
        ([], .init(sigma0: 1, seed: 0), .emptyMean),
        ([0, .nan], .init(sigma0: 1, seed: 0), .nonFiniteMean(index: 1, value: .nan)),
        ([0, .infinity], .init(sigma0: 1, seed: 0), .nonFiniteMean(index: 1, value: .infinity)),
        ([0], .init(sigma0: 0, seed: 0), .invalidSigma0(0)),
        ([0], .init(sigma0: -1, seed: 0), .invalidSigma0(-1)),
        ([0], .init(sigma0: .infinity, seed: 0), .invalidSigma0(.infinity)),
        ([0], .init(sigma0: 1, seed: 0, populationSize: 1), .populationTooSmall(1)),
        (
            [0, 0], .init(sigma0: 1, seed: 0, lowerBounds: [0]),
            .boundsCountMismatch(side: .lower, expected: 2, found: 1)
        ),
        (
            [0], .init(sigma0: 1, seed: 0, upperBounds: [1, 1]),
            .boundsCountMismatch(side: .upper, expected: 1, found: 2)
        ),
        (
            [0], .init(sigma0: 1, seed: 0, lowerBounds: [1], upperBounds: [1]),
            .invalidBounds(index: 0, lower: 1, upper: 1)
        ),
        (
            [0], .init(sigma0: 1, seed: 0, lowerBounds: [2], upperBounds: [1]),
            .invalidBounds(index: 0, lower: 2, upper: 1)
        ),
        (
            [0], .init(sigma0: 1, seed: 0, lowerBounds: [.infinity]),
            .invalidBounds(index: 0, lower: .infinity, upper: .infinity)
        ),
        (
            [3], .init(sigma0: 1, seed: 0, lowerBounds: [0], upperBounds: [1]),
            .meanOutsideBounds(index: 0, value: 3, lower: 0, upper: 1)
        ),
    ]

    @Test(arguments: refusals.indices)
    func refusesInvalidSettings(index: Int) {
        let (mean, settings, expected) = Self.refusals[index]
        do {
            _ = try CMAES(mean: mean, settings: settings)
            Issue.record("expected \(expected)")
        } catch {
            // NaN never equals itself, so compare messages.
            #expect(error.description == expected.description)
        }
    }
}
