/// Why CMA-ES refused its settings or a `tell`.
public enum CMAESError: Error, Equatable, CustomStringConvertible {
    /// The start point has no coordinates.
    case emptyMean
    /// A coordinate of the start point is infinite or NaN.
    case nonFiniteMean(index: Int, value: Double)
    /// The initial step size is not a finite number above zero.
    case invalidSigma0(Double)
    /// The population size is below 2, the least that recombination needs.
    case populationTooSmall(Int)
    /// A bounds array does not have one entry per coordinate.
    case boundsCountMismatch(side: BoundSide, expected: Int, found: Int)
    /// A coordinate's bounds leave no room: lower >= upper, a NaN, or a bound at the wrong infinity.
    case invalidBounds(index: Int, lower: Double, upper: Double)
    /// A coordinate of the start point lies outside its bounds.
    case meanOutsideBounds(index: Int, value: Double, lower: Double, upper: Double)
    /// `tell` got a different number of fitness values than the last `ask` returned candidates.
    case fitnessCountMismatch(expected: Int, found: Int)
    /// A fitness value is NaN, which cannot be ranked.
    case fitnessIsNaN(index: Int)
    /// `tell` was called without an `ask` before it.
    case tellWithoutAsk

    /// Which bound array an error is about.
    public enum BoundSide: String, Sendable, Equatable {
        case lower, upper
    }

    /// A message that says what is wrong and what to change.
    public var description: String {
        switch self {
        case .emptyMean:
            "CMA-ES needs a start point with at least one coordinate"
        case .nonFiniteMean(let index, let value):
            "start point coordinate \(index) is \(value); give a finite number"
        case .invalidSigma0(let sigma0):
            "initial step size sigma0 is \(sigma0); give a finite number above 0"
        case .populationTooSmall(let size):
            "population size \(size) is too small; give at least 2 or leave it unset for the default"
        case .boundsCountMismatch(let side, let expected, let found):
            "\(side.rawValue) bounds have \(found) entries for \(expected) coordinates; give one per coordinate"
        case .invalidBounds(let index, let lower, let upper):
            "bounds of coordinate \(index) are [\(lower), \(upper)]; the lower bound must be below the upper one"
        case .meanOutsideBounds(let index, let value, let lower, let upper):
            "start point coordinate \(index) is \(value), outside its bounds [\(lower), \(upper)]; start inside the box"
        case .fitnessCountMismatch(let expected, let found):
            "tell got \(found) fitness values for \(expected) candidates; give one per candidate of the last ask"
        case .fitnessIsNaN(let index):
            "fitness of candidate \(index) is NaN; give a number (use +infinity for a failed evaluation)"
        case .tellWithoutAsk:
            "tell was called without ask; call ask, evaluate its candidates, then tell their fitness"
        }
    }
}
