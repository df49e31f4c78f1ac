import AlertModel
import NotifyCore
import NotifyState

/// The heartbeats of an Alertmanager payload (alerts named in `deadman.alertnames`, the
/// Watchdog): taken out before anything else looks at the payload (never texted, never
/// deduplicated nor counted toward a limit), the firing ones recorded for the dead man's switch.
extension WebhookIntake {
    /// What a payload's heartbeats did.
    struct HeartbeatIntake {
        /// Heartbeats in the payload, firing or not.
        var count = 0
        /// New clusters left out (``DeadmanSwitch/maxClusters`` are tracked).
        var ignored = 0
        /// The SMS saying a silent cluster is back, one decision per `deadman.to` number.
        var decisions: [IntakeReply.Decision] = []
    }

    /// `notification` without its heartbeats (nil when nothing else is left) and what they
    /// did; the reply when the store could not record them (Alertmanager retries a 5xx).
    func takeHeartbeats(_ notification: Notification) -> Result<(rest: Notification?, heartbeats: HeartbeatIntake), IntakeReply.Refusal> {
        let (heartbeats, rest) = notification.separatingHeartbeats(named: Set(snapshot.configuration.deadman.alertnames))
        var intake = HeartbeatIntake(count: heartbeats.count)
        // Only a firing Watchdog says the pipeline works: a resolved one is the rule gone.
        guard heartbeats.contains(where: { $0.kind == .problem }) else { return .success((rest, intake)) }
        let report: DeadmanReport
        do {
            report = try snapshot.deadman.heard([DeadmanSwitch.cluster(externalURL: notification.externalURL)])
            health?.succeeded(.intake)
        } catch {
            health?.failed(.intake, error)
            return .failure(IntakeReply.Refusal(IntakeReply(
                status: error.isTransient ? 503 : 500, message: "heartbeat not recorded: \(error)", alerts: notification.totalCount,
                heartbeats: heartbeats.count)))
        }
        intake.ignored = report.ignored.count
        for event in report.events {
            for (recipient, decision) in event.decisions {
                let name = if case .send = decision { "queued" } else { "duplicate" }
                intake.decisions.append(IntakeReply.Decision(
                    to: recipient.e164, decision: name, detail: OutcomeText.detail(decision) ?? "dead man's switch: Alertmanager back"))
            }
        }
        return .success((rest, intake))
    }
}
