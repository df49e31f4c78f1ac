#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--format auto`: picks the input family from what is present, and says so when it cannot
/// tell rather than guess.
///
/// 1. Alert flags → `nagios` (the contract's flags are Nagios-style; pass `--format icinga`
///    to mark them as Icinga's).
/// 2. `NAGIOS_*` environment macros → `nagios`; Icinga 2's notification environment
///    (`NOTIFICATIONTYPE` with `HOSTNAME`…) → `icinga`; both → ambiguous.
/// 3. Otherwise standard input decides: a JSON object with an `alerts` array and an
///    Alertmanager marker (`version`, `receiver` or `groupKey`) → `alertmanager`; an `alerts`
///    array without any marker → ambiguous; any other JSON object, `key=value` lines or plain
///    text → `generic`.
public enum InputDetector {
    /// The family that the flags and the environment decide, or nil when standard input must.
    public static func detectWithoutBody(_ input: AlertInput) throws(DecodeError) -> InputFormat? {
        if !input.flags.isEmpty { return .nagios }
        let nagios = NagiosDecoder.hasEnvironmentMacros(input.environment)
        let icinga = IcingaDecoder.hasEnvironment(input.environment)
        switch (nagios, icinga) {
        case (true, true):
            throw .ambiguous(found: "both NAGIOS_* macros and Icinga 2's NOTIFICATIONTYPE/HOSTNAME in the environment")
        case (true, false): return .nagios
        case (false, true): return .icinga
        case (false, false): return nil
        }
    }

    /// The family of what was read on standard input.
    public static func detect(body: [UInt8]) throws(DecodeError) -> InputFormat {
        guard let first = body.first(where: { !Self.isJSONWhitespace($0) }) else {
            throw .empty(format: .generic, reason: "standard input is empty")
        }
        guard first == UInt8(ascii: "{") else { return .generic }
        // Only a parsed object can be told apart; text that merely starts with `{` is the
        // generic decoder's to refuse. The probe looks at the top-level names only, so the
        // values are never turned into a JSONValue tree here.
        // Too deep as well: the generic decoder then refuses it, naming why.
        guard let probe = try? JSONValue.decodeInput(Probe.self, from: Data(body)) else { return .generic }
        guard let alertsIsArray = probe.alertsIsArray else { return .generic }
        guard alertsIsArray else {
            throw .ambiguous(found: "a JSON object whose `alerts` is not an array")
        }
        guard probe.hasMarker else {
            throw .ambiguous(found: "a JSON object with an `alerts` array but no Alertmanager `version`, `receiver` or `groupKey`")
        }
        return .alertmanager
    }

    /// What detection needs of a JSON object: whether it has `alerts` (and whether that is an
    /// array) and an Alertmanager marker. Decoding fails for anything but an object.
    struct Probe: Decodable {
        enum Key: String, CodingKey { case alerts, version, receiver, groupKey }
        /// nil: no `alerts` member.
        var alertsIsArray: Bool?
        var hasMarker: Bool

        init(from decoder: any Decoder) throws {
            let object = try decoder.container(keyedBy: Key.self)
            alertsIsArray = object.contains(.alerts) ? (try? object.nestedUnkeyedContainer(forKey: .alerts)) != nil : nil
            hasMarker = [Key.version, .receiver, .groupKey].contains { object.contains($0) }
        }
    }

    static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
