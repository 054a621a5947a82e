import Testing

@testable import Distill

/// The learning-rate schedule and gradient clipping, on values worked out
/// by hand from transformers' and torch's definitions.
@Suite struct ScheduleTests {
    @Test func warmsUpLinearlyThenDecaysAlongACosine() {
        let schedule = LearningRateSchedule(peak: 1e-3, warmupSteps: 4, totalSteps: 12)
        #expect(schedule.rate(at: 0) == 0)
        #expect(abs(schedule.rate(at: 2) - 5e-4) < 1e-15)
        #expect(abs(schedule.rate(at: 4) - 1e-3) < 1e-15)
        #expect(abs(schedule.rate(at: 8) - 5e-4) < 1e-12)  // halfway: cos(π/2) = 0
        #expect(abs(schedule.rate(at: 12)) < 1e-12)
        #expect(schedule.rate(at: 20) == 0)
        let flat = LearningRateSchedule(peak: 2e-5, warmupSteps: 0, totalSteps: 1)
        #expect(flat.rate(at: 0) == 2e-5)
    }

    @Test func clipsOnlyAboveTheMaximumNorm() {
        #expect(GradientClipping.scale(norm: 5, maximum: 10) == 1)
        #expect(GradientClipping.scale(norm: 0.5, maximum: 1) == 1)
        #expect(GradientClipping.scale(norm: 5, maximum: 1) == Float(1 / (5 + 1e-6)))
    }
}
