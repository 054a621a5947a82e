import Foundation

/// Rotary position embedding of one attention kind: the base and the
/// scaling of the inverse frequencies (transformers' `rope_parameters`,
/// or `rope_theta` with `rope_scaling` in older configs).
public struct RopeSettings: Sendable, Equatable {
    public enum Scaling: Sendable, Equatable {
        case none
        /// Positions divided by `factor` (`linear`).
        case linear(factor: Double)
        /// Llama 3.1's band-wise scaling (`llama3`).
        case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Double)
    }

    public let base: Double
    public let scaling: Scaling

    public init(base: Double, scaling: Scaling = .none) {
        self.base = base
        self.scaling = scaling
    }

    /// The `headDimension / 2` inverse frequencies in Float32, computed as
    /// transformers computes them (`base ** (arange(0, d, 2) / d)` in
    /// Float32, then the scaling).
    public func inverseFrequencies(headDimension: Int) -> [Float] {
        let half = headDimension / 2
        var frequencies = (0..<half).map { index -> Float in
            1 / powf(Float(base), Float(2 * index) / Float(headDimension))
        }
        switch scaling {
        case .none:
            break
        case .linear(let factor):
            for index in frequencies.indices { frequencies[index] /= Float(factor) }
        case .llama3(let factor, let low, let high, let original):
            // transformers' `_compute_llama3_parameters`.
            let lowWavelength = original / low
            let highWavelength = original / high
            for index in frequencies.indices {
                let frequency = Double(frequencies[index])
                let wavelength = 2 * Double.pi / frequency
                if wavelength < highWavelength {
                    continue
                } else if wavelength > lowWavelength {
                    frequencies[index] = Float(frequency / factor)
                } else {
                    let smooth = (original / wavelength - low) / (high - low)
                    frequencies[index] = Float((1 - smooth) * frequency / factor + smooth * frequency)
                }
            }
        }
        return frequencies
    }
}

extension RopeSettings {
    /// Reads one rope description: `rope_type` (or `type`), `rope_theta`
    /// (or `fallbackBase`) and the scaling's own fields.
    static func read(_ object: ConfigObject?, fallbackBase: Double?, baseField: String) throws(ModelError) -> Self {
        let base = try object?.optionalNumber("rope_theta") ?? fallbackBase
        guard let base, base > 0 else {
            throw .unsupportedConfig(
                file: object?.file ?? "config.json", field: baseField, problem: "is missing or not positive")
        }
        guard let object else { return RopeSettings(base: base) }
        let stated = try object.optionalString("rope_type")
        let legacy = try object.optionalString("type")
        let type = stated ?? legacy ?? "default"
        switch type {
        case "default":
            return RopeSettings(base: base)
        case "linear":
            return RopeSettings(base: base, scaling: .linear(factor: try positiveNumber(object, "factor")))
        case "llama3":
            let scaling = Scaling.llama3(
                factor: try positiveNumber(object, "factor"),
                lowFrequencyFactor: try positiveNumber(object, "low_freq_factor"),
                highFrequencyFactor: try positiveNumber(object, "high_freq_factor"),
                originalContext: try positiveNumber(object, "original_max_position_embeddings"))
            if case .llama3(_, let low, let high, _) = scaling, high <= low {
                throw object.refuse("high_freq_factor", "must exceed low_freq_factor")
            }
            return RopeSettings(base: base, scaling: scaling)
        default:
            throw object.refuse(
                "rope_type", "is \"\(type)\"; Smelt supports \"default\", \"linear\" and \"llama3\"")
        }
    }

    private static func positiveNumber(_ object: ConfigObject, _ key: String) throws(ModelError) -> Double {
        let value = try object.number(key)
        guard value > 0 else { throw object.refuse(key, "must be positive") }
        return value
    }
}
