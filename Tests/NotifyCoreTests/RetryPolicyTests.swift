import NotifyCore
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(initialBackoff: .milliseconds(200), maxBackoff: .seconds(2))

    @Test func backoffDoublesWithinHalfAndFullOfTheStep() {
        #expect(policy.backoff(afterAttempt: 1, random: 0) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 1, random: 1) == .milliseconds(200))
        #expect(policy.backoff(afterAttempt: 2, random: 1) == .milliseconds(400))
        #expect(policy.backoff(afterAttempt: 3, random: 0.5) == .milliseconds(600))
    }

    @Test func backoffIsCapped() {
        #expect(policy.backoff(afterAttempt: 10, random: 1) == .seconds(2))
        #expect(policy.backoff(afterAttempt: 1000, random: 1) == .seconds(2))
        #expect(policy.backoff(afterAttempt: 1000, random: 0) == .seconds(1))
    }

    @Test func outOfRangeRandomnessIsClamped() {
        #expect(policy.backoff(afterAttempt: 1, random: -3) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 1, random: 7) == .milliseconds(200))
    }
}
