import AlertModel
import Testing

/// One Nagios or Icinga 2 environment fixture and the alert it must decode to (checked by
/// ``EnvironmentDecoder/checkFixture(_:)``).
struct EnvironmentCase: Sendable, CustomTestStringConvertible {
    /// The HTTP check's outputs in the `service-*` fixtures of both families.
    static let httpCritical = "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 532 bytes in 0.012 second response time"
    static let httpOK = "HTTP OK: HTTP/1.1 200 OK - 10312 bytes in 0.021 second response time"
    static let httpSlow = "HTTP WARNING: HTTP/1.1 200 OK - 10312 bytes in 4.512 second response time"
    /// The contact's pager in the fixtures of both families.
    static let pager = "+33612345678"

    /// The fixture's name under `Fixtures/`, e.g. `nagios/service-problem.env`.
    let fixture: String
    let kind: NotificationKind
    let alert: Alert
    var testDescription: String { fixture }
}
