/// The bounds every backend keeps its history within (``StateTransaction/prune(decidedBefore:)``).
public enum StateLimits {
    /// The most finished deliveries kept, whatever their age.
    public static let maxDeliveries = 100_000
    /// The most checks of `run` kept (``CheckRun``): beyond them, the least recently run go.
    public static let maxCheckRuns = 10_000
    /// How much longer than the history a check of `run` is kept after its last run: a
    /// monthly or yearly job keeps its state (the failing streak its RECOVERY ends).
    public static let checkRunRetention = Duration.seconds(400 * 86_400)
}
