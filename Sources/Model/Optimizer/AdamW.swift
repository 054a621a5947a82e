import Foundation

/// AdamW (Loshchilov and Hutter 2019, Algorithm 2) as `torch.optim.AdamW`
/// computes it: decoupled weight decay `w ← w·(1 − lr·λ)`, then the
/// bias-corrected step `w ← w − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)`.
/// `update` keeps moments in memory by name; `ParameterStore.step` keeps them in its arrays.
public struct AdamW: Sendable {
    /// The rate of the next step; a schedule sets it before each one.
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// m of every parameter stepped so far, by name.
    public private(set) var firstMoments: [String: [Float]] = [:]
    /// v of every parameter stepped so far, by name.
    public private(set) var secondMoments: [String: [Float]] = [:]

    public init(
        learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
        weightDecay: Double = 0.01
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Takes back the steps a checkpoint counted (its moments are in a `ParameterStore`).
    public mutating func restore(stepCount: Int) { self.stepCount = stepCount }


    /// What one step multiplies by, fixed when the step begins.
    public struct Coefficients: Sendable {
        let decay: Float
        let stepSize: Float
        let correction2: Float
        let beta1: Float
        let beta2: Float
        let epsilon: Float
    }

    /// Counts a step and returns its coefficients (the bias corrections of
    /// step `stepCount`).
    public mutating func nextStep() -> Coefficients {
        stepCount += 1
        return Coefficients(
            decay: Float(1 - learningRate * weightDecay),
            stepSize: Float(learningRate / (1 - pow(beta1, Double(stepCount)))),
            correction2: Float((1 - pow(beta2, Double(stepCount))).squareRoot()), beta1: Float(beta1),
            beta2: Float(beta2), epsilon: Float(epsilon))
    }

    /// The step of `count` elements in place, in torch's order of
    /// operations; eight lanes at a time (each lane computes exactly what
    /// the scalar loop would: no operation is fused).
    static func update(
        values: UnsafeMutablePointer<Float>, first: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>,
        gradients: UnsafePointer<Float>, count: Int, _ c: Coefficients
    ) {
        typealias Lanes = SIMD8<Float>
        let width = Lanes.scalarCount
        var index = 0
        while index + width <= count {
            let g = UnsafeRawPointer(gradients + index).loadUnaligned(as: Lanes.self)
            var m = UnsafeRawPointer(first + index).loadUnaligned(as: Lanes.self)
            var v = UnsafeRawPointer(second + index).loadUnaligned(as: Lanes.self)
            var w = UnsafeRawPointer(values + index).loadUnaligned(as: Lanes.self)
            m += (g - m) * (1 - c.beta1)
            v = v * c.beta2 + (1 - c.beta2) * g * g
            let denominator = v.squareRoot() / c.correction2 + c.epsilon
            w = w * c.decay - c.stepSize * m / denominator
            UnsafeMutableRawPointer(first + index).storeBytes(of: m, as: Lanes.self)
            UnsafeMutableRawPointer(second + index).storeBytes(of: v, as: Lanes.self)
            UnsafeMutableRawPointer(values + index).storeBytes(of: w, as: Lanes.self)
            index += width
        }
        for index in index..<count {
            let g = gradients[index]
            first[index] += (g - first[index]) * (1 - c.beta1)
            second[index] = second[index] * c.beta2 + (1 - c.beta2) * g * g
            let denominator = second[index].squareRoot() / c.correction2 + c.epsilon
            values[index] = values[index] * c.decay - c.stepSize * first[index] / denominator
        }
    }

    /// One step over every parameter that has a gradient (the others are
    /// left alone), in place.
    public mutating func update(
        _ parameters: inout [String: [Float]], gradients: [String: [Float]], model: String = "model"
    ) throws(ModelError) {
        for (name, gradient) in gradients {
            guard let values = parameters[name] else { throw .missingTensor(model: model, tensor: name) }
            guard values.count == gradient.count else {
                throw .shapeMismatch(model: model, tensor: name, expected: [values.count], found: [gradient.count])
            }
        }
        let coefficients = nextStep()
        for (name, gradient) in gradients {
            var first = firstMoments[name] ?? [Float](repeating: 0, count: gradient.count)
            var second = secondMoments[name] ?? [Float](repeating: 0, count: gradient.count)
            // checked: every gradient's parameter was found above
            var values = parameters.removeValue(forKey: name)!
            values.withUnsafeMutableBufferPointer { values in
                first.withUnsafeMutableBufferPointer { first in
                    second.withUnsafeMutableBufferPointer { second in
                        gradient.withUnsafeBufferPointer { gradient in
                            // checked: the four arrays have the same count (checked above), ≥ 1 element
                            guard let values = values.baseAddress else { return }
                            Self.update(
                                values: values, first: first.baseAddress!, second: second.baseAddress!,
                                gradients: gradient.baseAddress!, count: gradient.count, coefficients)
                        }
                    }
                }
            }
            parameters[name] = values
            firstMoments[name] = first
            secondMoments[name] = second
        }
    }
}

extension TrainableModel {
    /// Takes one optimizer step with `gradients` (from `lossAndGradients`).
    public mutating func update(with optimizer: inout AdamW, gradients: [String: [Float]]) throws(ModelError) {
        try optimizer.update(&parameters, gradients: gradients)
    }
}

extension LoRAAdapters {
    /// Takes one optimizer step with the adapters' `gradients`.
    public mutating func update(with optimizer: inout AdamW, gradients: [String: [Float]]) throws(ModelError) {
        try optimizer.update(&parameters, gradients: gradients, model: "adapters")
    }
}
