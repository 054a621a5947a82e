import Evolve
import Foundation
import TestSupport

/// pycma's evaluation counts to reach f <= 1e-8 (`Fixtures/evolve/cma-reference.json`, made by
/// `tools/cma_reference.py`), and the same problems for Smelt's CMA-ES.
struct CMAESReference: Decodable {
    struct Problem: Decodable, CustomStringConvertible {
        let name: String
        let dimension: Int
        /// The value of every coordinate of the start point.
        let x0: Double
        let sigma0: Double
        /// Evaluations per seed; nil where cma did not reach the target (Rosenbrock's local minimum).
        let counts: [Int?]

        var description: String { "\(name) \(dimension)-D" }
        var reachedCounts: [Int] { counts.compactMap { $0 } }
    }

    let cmaVersion: String
    let target: Double
    let seeds: [UInt64]
    let problems: [Problem]

    static func load() throws -> CMAESReference {
        let bytes = try TestFiles.read(TestFiles.fixture("evolve/cma-reference.json"))
        return try JSONDecoder().decode(CMAESReference.self, from: Data(bytes))
    }
}

/// The test functions of the reference script, all with minimum 0.
enum BenchmarkFunction {
    static func named(_ name: String) -> ([Double]) -> Double {
        switch name {
        case "sphere": sphere
        case "ellipsoid": ellipsoid
        default: rosenbrock
        }
    }

    static func sphere(_ x: [Double]) -> Double {
        x.reduce(0) { $0 + $1 * $1 }
    }

    /// Σ 10^(6(i−1)/(n−1)) x_i², condition number 10⁶.
    static func ellipsoid(_ x: [Double]) -> Double {
        let n = x.count
        var sum = 0.0
        for i in 0..<n { sum += pow(10, 6 * Double(i) / Double(n - 1)) * x[i] * x[i] }
        return sum
    }

    static func rosenbrock(_ x: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<(x.count - 1) {
            let valley = x[i + 1] - x[i] * x[i]
            sum += 100 * valley * valley + (1 - x[i]) * (1 - x[i])
        }
        return sum
    }
}

/// The median of `values` (the mean of the middle two for an even count).
func median(_ values: [Int]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? Double(sorted[middle]) : Double(sorted[middle - 1] + sorted[middle]) / 2
}

/// Runs CMA-ES on `function` until the best fitness is <= `target`; the evaluation count then, or nil if it
/// did not get there within `maximumEvaluations`.
func evaluationsToTarget(
    _ function: ([Double]) -> Double, start: [Double], settings: CMAESSettings, target: Double,
    maximumEvaluations: Int
) throws -> Int? {
    var es = try CMAES(mean: start, settings: settings)
    while es.evaluationCount < maximumEvaluations {
        try es.tell(es.ask().map(function))
        if es.bestFitness <= target { return es.evaluationCount }
    }
    return nil
}
