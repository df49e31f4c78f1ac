#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes an Alertmanager webhook payload (version 4) into one ``Notification`` for the
/// whole group (see ``AlertGrouping``).
///
/// Lenient about everything Alertmanager versions differ on: unknown fields are ignored,
/// every field but `alerts` may be missing, any `version` is accepted, label and annotation
/// values that are numbers or booleans are turned into text, the zero `endsAt`
/// (`0001-01-01T00:00:00Z`) means "not ended". Strict only about the shape: a JSON object
/// with an `alerts` array of objects.
///
/// Each alert becomes an ``Alert`` with
/// - `notificationType`: the alert's `status` (else the payload's), `firing` or `resolved`;
/// - `service`: the `alertname` label; `severity`: the `severity` label;
/// - `host`: the affected object, chosen from the labels by `subjects` (``SubjectRules``)
///   (`node`, `namespace/pod`, a workload, a monitored target…; not an exporter's scrape
///   address);
/// - `summary`: the `summary`, `message` or `title` annotation; `details`: `description`
///   (the renderer prefers whichever names the affected object), without a line that dumps
///   every label (`LABELS = map[…]`, as awesome-prometheus-alerts rules end theirs: the scrape
///   labels would reach the text through it);
/// - labels and annotations sorted by name;
/// - `dedupKey`: `fingerprint:status`, the fingerprint derived from the labels when the
///   payload has none.
public enum AlertmanagerDecoder {
    /// The notification for a webhook body.
    ///
    /// - Throws: ``DecodeError/malformed(format:reason:)`` when the body is not JSON, not an
    ///   object, or has no `alerts` array of objects; ``DecodeError/empty(format:reason:)``
    ///   when `alerts` is empty or no alert has a name, an instance, a summary or a description.
    public static func decode(_ body: [UInt8], subjects: SubjectRules = .standard) throws(DecodeError) -> Notification {
        var bytes = body[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        // Invalid UTF-8 becomes U+FFFD (as Alertmanager's own encoder does) rather than
        // losing the value it is in.
        let json = Data(String(decoding: bytes, as: UTF8.self).utf8)

        let payload: Payload
        do {
            payload = try JSONValue.decodeInput(Payload.self, from: json)
        } catch let failure as JSONValue.DecodeFailure {
            throw .malformed(format: .alertmanager, reason: failure.reason)
        } catch let error as DecodingError {
            throw .malformed(format: .alertmanager, reason: reason(for: error, body: bytes))
        } catch {
            throw .malformed(format: .alertmanager, reason: "not JSON")
        }

        let raw: [RawAlert]
        switch payload.alerts {
        case .missing:
            throw .malformed(format: .alertmanager, reason: "no `alerts` array")
        case .notArray:
            throw .malformed(format: .alertmanager, reason: "`alerts` is not an array")
        case .notObject(let position):
            throw .malformed(format: .alertmanager, reason: "alert #\(position) is not a JSON object")
        case .array(let list):
            raw = list
        }
        guard !raw.isEmpty else {
            throw .empty(format: .alertmanager, reason: "the payload has no alerts")
        }

        let payloadStatus = text(payload.status)
        let alerts = raw.map { alert(from: $0, payloadStatus: payloadStatus, subjects: subjects) }
        guard alerts.contains(where: { $0.hasContent }) else {
            throw .empty(format: .alertmanager, reason: "no alert has a name, an instance, a summary or a description")
        }

        return AlertGrouping.group(
            alerts,
            status: payloadStatus,
            receiver: text(payload.receiver),
            groupKey: text(payload.groupKey),
            groupLabels: payload.groupLabels?.labels ?? [],
            commonLabels: payload.commonLabels?.labels ?? [],
            commonAnnotations: payload.commonAnnotations?.labels ?? [],
            externalURL: text(payload.externalURL),
            truncatedAlerts: payload.truncatedAlerts?.value ?? 0
        )
    }

    // MARK: - Mapping

    /// `text` without its `LABELS = map[…]` lines (`{{ $labels }}` printed by Go's template);
    /// nil when nothing else is left.
    static func withoutLabelDump(_ text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            return !(trimmed.hasPrefix("LABELS = map[") || trimmed.hasPrefix("LABELS: map[") || trimmed.hasPrefix("Labels = map["))
        }
        let result = lines.joined(separator: "\n").trimmingWhitespace()
        return result.isEmpty ? nil : result
    }

    private static func alert(from raw: RawAlert, payloadStatus: String?, subjects: SubjectRules) -> Alert {
        let labels = raw.labels?.labels ?? []
        let annotations = raw.annotations?.labels ?? []
        func label(_ name: String) -> String? { text(labels.first { $0.name == name }?.value) }
        func annotation(_ name: String) -> String? { text(annotations.first { $0.name == name }?.value) }

        let status = text(raw.status) ?? payloadStatus
        let fingerprint = text(raw.fingerprint)
        let host = subjects.choose(labels).subject
        let summary = annotation("summary") ?? annotation("message") ?? annotation("title")
        let description = annotation("description").flatMap(withoutLabelDump)
        var endsAt = text(raw.endsAt)
        if let end = endsAt, end.hasPrefix("0001-01-01") { endsAt = nil }

        let identity = AlertIdentity(fingerprint: fingerprint, labels: labels, status: status)
        var alert = Alert(
            source: .alertmanager,
            notificationType: status,
            host: host,
            service: label("alertname"),
            summary: summary,
            details: description,
            severity: label("severity"),
            labels: labels,
            annotations: annotations,
            startsAt: text(raw.startsAt),
            endsAt: endsAt,
            fingerprint: fingerprint,
            url: text(raw.generatorURL),
            dedupKey: identity.dedupKey,
            recipients: []
        )
        alert.identity = identity
        return alert
    }

    /// The field's value trimmed; nil when missing, blank or not a scalar.
    private static func text(_ field: LenientString?) -> String? {
        text(field?.value)
    }

    /// The value trimmed; nil when missing or blank.
    private static func text(_ value: String?) -> String? {
        guard let value = value?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// One short line saying why the body did not decode.
    private static func reason(for error: DecodingError, body: ArraySlice<UInt8>) -> String {
        guard let first = body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            return "not JSON (the body is empty)"
        }
        if case .dataCorrupted = error {
            guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                return "not JSON (it begins with \"\(excerpt(body))\")"
            }
            return "not JSON (a syntax error, or the body is cut short)"
        }
        switch first {
        case UInt8(ascii: "["): return "not a JSON object (an array)"
        case UInt8(ascii: "\""): return "not a JSON object (a string)"
        default: return "not a JSON object"
        }
    }

    /// The body's first characters, printable ASCII only (others become `?`), for an error line.
    private static func excerpt(_ body: ArraySlice<UInt8>, limit: Int = 24) -> String {
        let start = body.drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        var text = String(decoding: start.prefix(limit).map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        if start.count > limit { text += "…" }
        return text
    }
}

// MARK: - Payload shape

/// The webhook body; every field optional, unknown fields ignored.
private struct Payload: Decodable {
    enum Alerts {
        case missing
        case notArray
        /// The 1-based position of the first element that is not an object.
        case notObject(Int)
        case array([RawAlert])
    }

    var version: LenientString?
    var groupKey: LenientString?
    var truncatedAlerts: LenientCount?
    var status: LenientString?
    var receiver: LenientString?
    var groupLabels: LabelSet?
    var commonLabels: LabelSet?
    var commonAnnotations: LabelSet?
    var externalURL: LenientString?
    var alerts: Alerts

    enum CodingKeys: String, CodingKey {
        case version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels
        case commonAnnotations, externalURL, alerts
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try? container.decodeIfPresent(LenientString.self, forKey: .version)
        groupKey = try? container.decodeIfPresent(LenientString.self, forKey: .groupKey)
        truncatedAlerts = try? container.decodeIfPresent(LenientCount.self, forKey: .truncatedAlerts)
        status = try? container.decodeIfPresent(LenientString.self, forKey: .status)
        receiver = try? container.decodeIfPresent(LenientString.self, forKey: .receiver)
        groupLabels = try? container.decodeIfPresent(LabelSet.self, forKey: .groupLabels)
        commonLabels = try? container.decodeIfPresent(LabelSet.self, forKey: .commonLabels)
        commonAnnotations = try? container.decodeIfPresent(LabelSet.self, forKey: .commonAnnotations)
        externalURL = try? container.decodeIfPresent(LenientString.self, forKey: .externalURL)

        guard container.contains(.alerts), (try? container.decodeNil(forKey: .alerts)) == false else {
            alerts = .missing
            return
        }
        guard var list = try? container.nestedUnkeyedContainer(forKey: .alerts) else {
            alerts = .notArray
            return
        }
        var decoded: [RawAlert] = []
        while !list.isAtEnd {
            let before = list.currentIndex
            let element = try? list.decode(RawAlert.self)
            guard let element, element.isObject, list.currentIndex > before else {
                alerts = .notObject(before + 1)
                return
            }
            decoded.append(element)
        }
        alerts = .array(decoded)
    }
}

/// One element of `alerts`. Never fails: a non-object element is marked as such.
private struct RawAlert: Decodable {
    var isObject = true
    var status: LenientString?
    var labels: LabelSet?
    var annotations: LabelSet?
    var startsAt: LenientString?
    var endsAt: LenientString?
    var generatorURL: LenientString?
    var fingerprint: LenientString?

    enum CodingKeys: String, CodingKey {
        case status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint
    }

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else {
            isObject = false
            return
        }
        status = try? container.decodeIfPresent(LenientString.self, forKey: .status)
        labels = try? container.decodeIfPresent(LabelSet.self, forKey: .labels)
        annotations = try? container.decodeIfPresent(LabelSet.self, forKey: .annotations)
        startsAt = try? container.decodeIfPresent(LenientString.self, forKey: .startsAt)
        endsAt = try? container.decodeIfPresent(LenientString.self, forKey: .endsAt)
        generatorURL = try? container.decodeIfPresent(LenientString.self, forKey: .generatorURL)
        fingerprint = try? container.decodeIfPresent(LenientString.self, forKey: .fingerprint)
    }
}

/// A JSON object of name → value, sorted by name. Values that are numbers or booleans
/// become text; null, arrays and objects are left out; a non-object is no labels.
private struct LabelSet: Decodable {
    var labels: [Label] = []

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: AnyCodingKey.self) else { return }
        for key in container.allKeys {
            guard let value = try? container.decodeIfPresent(LenientString.self, forKey: key),
                  let text = value.value
            else { continue }
            labels.append(Label(key.stringValue, text))
        }
        labels.sort { ($0.name, $0.value) < ($1.name, $1.value) }
    }
}

/// A scalar as text: strings as they are, numbers and booleans spelled out; nil for
/// null, arrays, objects and numbers no Swift type can hold.
private struct LenientString: Decodable {
    var value: String?

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.singleValueContainer(), !container.decodeNil() else { return }
        if let text = try? container.decode(String.self) {
            value = text
        } else if let flag = try? container.decode(Bool.self) {
            value = flag ? "true" : "false"
        } else if let integer = try? container.decode(Int64.self) {
            value = String(integer)
        } else if let integer = try? container.decode(UInt64.self) {
            value = String(integer)
        } else if let number = try? container.decode(Double.self), number.isFinite {
            value = String(describing: number)
        } else if let number = try? container.decode(Decimal.self) {
            value = number.description
        }
    }
}

/// A non-negative count (`truncatedAlerts`): an integer, a whole float or a string of
/// digits; anything else or out of range is nil.
private struct LenientCount: Decodable {
    var value: Int?

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.singleValueContainer(), !container.decodeNil() else { return }
        if let integer = try? container.decode(Int.self) {
            value = integer
        } else if let number = try? container.decode(Double.self), number.isFinite {
            value = number <= 0 ? 0 : number >= Double(Int32.max) ? Int(Int32.max) : Int(number.rounded(.down))
        } else if let text = try? container.decode(String.self) {
            value = Int(text.trimmingWhitespace())
        }
        if let count = value { value = min(max(count, 0), Int(Int32.max)) }
    }
}
