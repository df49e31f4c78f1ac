/// Fuzzing every decoder with seeded random input: random bytes, random UTF-8 text, random
/// JSON in the Alertmanager and generic vocabularies, mutated fixture files (bit flips,
/// truncations, splices, duplicated and deleted chunks), deeply nested JSON, huge strings,
/// and random environments made of the real `NAGIOS_*` and Icinga 2 macro names holding
/// random values, with and without the alert flags.
///
/// The only requirements: no crash, no hang (every input decodes within
/// `SMSPARTNER_FUZZ_SLOW_MS`, default 2000 ms), the result is a `Notification` or a
/// `DecodeError`, and a decoded notification has at least one alert with content (a host,
/// service, output, summary or details that is not blank).
///
/// The CI run is small (500 inputs per decoder: on 2 cores, 2,000 each took about 55 s of the
/// early part of the run, and starved the tests that check a time bound). The long run:
///
///     SMSPARTNER_FUZZ_RUNS=100000 swift test --filter DecoderFuzz
///
/// Environment:
/// - `SMSPARTNER_FUZZ_RUNS`: inputs per decoder (default 500);
/// - `SMSPARTNER_FUZZ_SEED`: the seed (decimal or 0x-hex); printed by every run, so a failure
///   replays exactly with the same value;
/// - `SMSPARTNER_FUZZ_SLOW_MS`: how long one input may take before it counts as a hang;
/// - `SMSPARTNER_FUZZ_TRACE=1`: print every input to stderr before decoding it, to find the
///   one that crashes the process (the last one printed).
///
/// A failing input is written to `$TMPDIR/smspartner-fuzz/` and its seed and run number are
/// in the failure message.
import Foundation
import SeededRandom
import TestSupport
import Testing

@testable import AlertModel

@Suite struct DecoderFuzzTests {
    /// Inputs per decoder.
    static let runs: Int = {
        guard let text = ProcessInfo.processInfo.environment["SMSPARTNER_FUZZ_RUNS"], let runs = Int(text), runs >= 0 else {
            return 500
        }
        return runs
    }()

    /// The seed of this run: `SMSPARTNER_FUZZ_SEED`, else a random one.
    static let seed: UInt64 = {
        let text = ProcessInfo.processInfo.environment["SMSPARTNER_FUZZ_SEED"]?.trimmingCharacters(in: .whitespaces)
        if let text, text.hasPrefix("0x"), let seed = UInt64(text.dropFirst(2), radix: 16) { return seed }
        if let text, let seed = UInt64(text) { return seed }
        return UInt64.random(in: 0...UInt64.max)
    }()

    /// How long one input may take, in milliseconds.
    static let slowMilliseconds: Int = {
        ProcessInfo.processInfo.environment["SMSPARTNER_FUZZ_SLOW_MS"].flatMap { Int($0) } ?? 2_000
    }()

    static let trace = ProcessInfo.processInfo.environment["SMSPARTNER_FUZZ_TRACE"] == "1"

    // MARK: - One test per decoder

    @Test func nagiosDecoder() async throws {
        let corpus = try FuzzCorpus.shared()
        await run("NagiosDecoder") { random in
            let input = random.alertInput(corpus: corpus, family: .nagios)
            return (fuzzDescription(input), input.body, { try NagiosDecoder.decode(input) })
        }
    }

    @Test func icingaDecoder() async throws {
        let corpus = try FuzzCorpus.shared()
        await run("IcingaDecoder") { random in
            let input = random.alertInput(corpus: corpus, family: .icinga)
            return (fuzzDescription(input), input.body, { try IcingaDecoder.decode(input) })
        }
    }

    @Test func alertmanagerDecoder() async throws {
        let corpus = try FuzzCorpus.shared()
        await run("AlertmanagerDecoder") { random in
            let body = random.body(corpus: corpus, leaning: .alertmanager)
            return (fuzzDescription(body), body, { try AlertmanagerDecoder.decode(body) })
        }
    }

    @Test func genericDecoder() async throws {
        let corpus = try FuzzCorpus.shared()
        await run("GenericDecoder") { random in
            let body = random.body(corpus: corpus, leaning: .generic)
            return (fuzzDescription(body), body, { try GenericDecoder.decode(body) })
        }
    }

    @Test func inputDetector() async throws {
        let corpus = try FuzzCorpus.shared()
        await run("InputDetector") { random in
            let input = random.alertInput(corpus: corpus, family: .auto)
            return (fuzzDescription(input), input.body, {
                // The detector alone: it must decide, refuse, or say "ambiguous", never trap.
                if let format = try InputDetector.detectWithoutBody(input) {
                    #expect(format == .nagios || format == .icinga)
                } else if let body = input.body {
                    let format = try InputDetector.detect(body: body)
                    #expect(format != .auto)
                }
                return nil
            })
        }
    }

    @Test func autoFormat() async throws {
        let corpus = try FuzzCorpus.shared()
        await run("AlertDecoding.auto") { random in
            let input = random.alertInput(corpus: corpus, family: .auto)
            return (fuzzDescription(input), input.body, {
                let decoded = try AlertDecoding.decode(input, format: .auto)
                #expect(decoded.format != .auto, "auto decoded as auto: \(fuzzDescription(input))")
                return decoded.notification
            })
        }
    }

    @Test func everyExplicitFormat() async throws {
        let corpus = try FuzzCorpus.shared()
        await run("AlertDecoding.explicit") { random in
            let input = random.alertInput(corpus: corpus, family: .auto)
            let format = random.pick(InputFormat.allCases)
            return ("--format \(format.rawValue) " + fuzzDescription(input), input.body, {
                try AlertDecoding.decode(input, format: format).notification
            })
        }
    }

    // MARK: - Pathological inputs, once each

    /// `[[[[…` and `{"a":{"a":…` 100,000 deep, alone and where each decoder looks
    /// (`alerts`, `labels`, a label value, a generic member): refused or decoded, never a
    /// stack overflow.
    @Test(arguments: DeepInput.allCases)
    func deeplyNestedJSON(_ shape: DeepInput) {
        let body = shape.bytes(depth: 100_000)
        for (name, decode) in Self.byteDecoders {
            checkOnce(name: "\(name) \(shape)", input: "\(shape) (\(body.count) bytes)", body: body, decode: { try decode(body) })
        }
    }

    /// Issue 16: JSON refused only for its depth said "not valid JSON". Past Foundation's 512
    /// levels each JSON decoder now says "nested too deeply"; under it, nothing changes.
    @Test(arguments: [DeepInput.arrays, .objects, .inAlerts, .inLabels, .inLabelValue, .inGenericMember])
    func tooDeepJSONSaysSo(_ shape: DeepInput) {
        let body = shape.bytes(depth: 600)
        for (name, decode) in [Self.byteDecoders[0], Self.byteDecoders[1]] {
            do {
                _ = try decode(body)
                Issue.record("\(name) \(shape): decoded 600 levels")
            } catch {
                #expect("\(error)".contains("nested too deeply"), "\(name) \(shape): \(error)")
            }
        }
        #expect(JSONValue.nestedTooDeeply(shape.bytes(depth: 500)[...]) == nil)
        #expect(JSONValue.nestedTooDeeply(Array(#"{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}"#.utf8)[...]) == nil,
                "brackets in a string do not count")
    }

    /// Foundation's JSON parser traps (an illegal instruction, the whole process gone) when
    /// input reaches its 513th level exactly where the input ends: found by a fuzz run in CI.
    /// Every decoder refuses such input before that parser sees it.
    @Test("JSON that reaches its 513th level where it ends is refused as too deep, not a crash",
          arguments: ["", #"{"alerts":"#, #"{"version":"4","alerts":[{"labels":{"a":"#, #"{"message":"x","labels":"#])
    func depthLimitAtTheEnd(_ prefix: String) {
        for levels in [513, 514] {
            for bracket in ["[", "{\"a\":"] {
                let body = Array(prefix.utf8) + Array(String(repeating: bracket, count: levels).utf8)
                for (name, decode) in Self.byteDecoders {
                    do {
                        _ = try decode(body)
                        if name != "InputDetector" { Issue.record("\(name): decoded \(levels) levels") }
                    } catch {
                        #expect("\(error)".contains("nested too deeply") || name == "InputDetector", "\(name) \(levels) \(bracket): \(error)")
                    }
                }
            }
        }
    }

    /// Megabytes in one string: a summary, a label, a whole line of plain text, an
    /// environment value, a run of newlines, a number with 100,000 digits.
    @Test(arguments: HugeInput.allCases)
    func hugeStrings(_ shape: HugeInput) {
        switch shape.input {
        case .body(let body):
            for (name, decode) in Self.byteDecoders {
                checkOnce(name: "\(name) \(shape)", input: "\(shape) (\(body.count) bytes)", body: body, decode: { try decode(body) })
            }
        case .input(let input):
            for (name, decode) in Self.inputDecoders {
                checkOnce(name: "\(name) \(shape)", input: "\(shape)", body: nil, decode: { try decode(input) })
            }
        }
    }

    // MARK: - Running

    /// Every decoder that takes standard input's bytes.
    static let byteDecoders: [(String, @Sendable ([UInt8]) throws -> AlertModel.Notification?)] = [
        ("AlertmanagerDecoder", { body in try AlertmanagerDecoder.decode(body) }),
        ("GenericDecoder", { body in try GenericDecoder.decode(body) }),
        ("auto", { body in try AlertDecoding.decode(AlertInput(body: body), format: .auto).notification }),
        ("InputDetector", { body -> AlertModel.Notification? in _ = try InputDetector.detect(body: body); return nil }),
    ]

    /// Every decoder that takes a whole ``AlertInput``.
    static let inputDecoders: [(String, @Sendable (AlertInput) throws -> AlertModel.Notification?)] = [
        ("NagiosDecoder", { input in try NagiosDecoder.decode(input) }),
        ("IcingaDecoder", { input in try IcingaDecoder.decode(input) }),
        ("auto", { input in try AlertDecoding.decode(input, format: .auto).notification }),
    ]

    /// Runs `Self.runs` inputs through one decoder; `make` builds an input from the run's
    /// generator and returns its description, its body (saved whole when it fails) and the
    /// decoding to run.
    ///
    /// It yields now and then: a long run must not hold one of the few threads that every
    /// other test's awaits need (two on a two-core machine).
    func run(
        _ name: String,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ make: (inout FuzzRandom) -> (String, [UInt8]?, () throws -> AlertModel.Notification?)
    ) async {
        let clock = ContinuousClock()
        let started = clock.now
        var stats = FuzzStats()
        // Said first as well: a decoder that traps ends the process before the summary below.
        print("[fuzz] \(name): starting, seed \(Self.seed) (SMSPARTNER_FUZZ_SEED=\(Self.seed) replays it)")
        for index in 0..<Self.runs {
            var random = FuzzRandom(seed: Self.seed, stream: name, run: index)
            let (description, body, decode) = make(&random)
            if Self.trace { FileHandle.standardError.write(Data("[fuzz] \(name) #\(index): \(description)\n".utf8)) }
            let failure = check(name: name, input: description, body: body, run: index, decode: decode, stats: &stats, sourceLocation: sourceLocation)
            if failure { break }
            if index % 20 == 19 { await Task.yield() }
        }
        let elapsed = started.duration(to: clock.now)
        print("[fuzz] \(name): \(stats.runs) inputs in \(fuzzMilliseconds(elapsed)), \(stats.summary), seed \(Self.seed) (SMSPARTNER_FUZZ_SEED=\(Self.seed) replays it)")
    }

    /// Decodes one pathological input and checks the outcome. Such inputs are megabytes, so
    /// they get 10 times the usual time limit (a debug build decodes about 10 MB/s).
    func checkOnce(name: String, input description: String, body: [UInt8]?, decode: () throws -> AlertModel.Notification?, sourceLocation: SourceLocation = #_sourceLocation) {
        var stats = FuzzStats()
        check(name: name, input: description, body: body, run: nil, limit: Self.slowMilliseconds * 10, decode: decode, stats: &stats, sourceLocation: sourceLocation)
        print("[fuzz] \(name): \(stats.summary)")
    }

    /// Decodes one input and checks the outcome; true when an issue was recorded.
    @discardableResult
    func check(
        name: String,
        input description: String,
        body: [UInt8]?,
        run index: Int?,
        limit: Int = Self.slowMilliseconds,
        decode: () throws -> AlertModel.Notification?,
        stats: inout FuzzStats,
        sourceLocation: SourceLocation
    ) -> Bool {
        let clock = ContinuousClock()
        let started = clock.now
        let outcome: Result<AlertModel.Notification?, DecodeError>
        var problems: [String] = []
        do {
            outcome = .success(try decode())
        } catch let error as DecodeError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(.noInput)
            problems.append("threw \(type(of: error)) \(error), not a DecodeError")
        }
        let elapsed = started.duration(to: clock.now)
        stats.record(outcome, elapsed: elapsed)

        if elapsed > .milliseconds(limit) {
            problems.append("took \(fuzzMilliseconds(elapsed)) (limit \(limit) ms)")
        }
        if case .success(let notification?) = outcome {
            if notification.alerts.isEmpty {
                problems.append("decoded a notification without alerts")
            } else if !notification.alerts.contains(where: Self.hasVisibleContent) {
                problems.append("decoded a notification whose alerts have no content: \(notification.alerts.map(Self.fields))")
            }
        }
        guard !problems.isEmpty else { return false }
        let replay = index.map { " (run #\($0), SMSPARTNER_FUZZ_SEED=\(Self.seed))" } ?? ""
        let saved = Self.save(description: description, body: body, name: name, run: index)
        Issue.record(
            "\(name)\(replay): \(problems.joined(separator: "; "))\ninput: \(description.prefix(2_000))\(saved.map { "\nsaved to \($0)" } ?? "")",
            sourceLocation: sourceLocation
        )
        return true
    }

    /// Whether an alert has something worth texting: one of host, service, output, summary
    /// or details present and not blank.
    static func hasVisibleContent(_ alert: Alert) -> Bool {
        [alert.host, alert.service, alert.output, alert.summary, alert.details].contains {
            $0.map { !$0.allSatisfy(\.isWhitespace) } ?? false
        }
    }

    static func fields(_ alert: Alert) -> String {
        "host=\(alert.host.debugDescription) service=\(alert.service.debugDescription) output=\(alert.output.debugDescription) summary=\(alert.summary.debugDescription) details=\(alert.details.debugDescription)"
    }

    /// Writes a failing input under `$TMPDIR/smspartner-fuzz/`; its path.
    static func save(description: String, body: [UInt8]?, name: String, run: Int?) -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smspartner-fuzz")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(name.replacingOccurrences(of: " ", with: "-"))-\(seed)-\(run.map(String.init) ?? "once").txt")
        let data = body.map { Data($0) } ?? Data(description.utf8)
        return (try? data.write(to: file)) == nil ? nil : file.path
    }
}

// MARK: - Describing inputs

/// A short, printable description of some bytes: length and an escaped prefix.
func fuzzDescription(_ bytes: [UInt8]) -> String {
    let prefix = String(decoding: bytes.prefix(300), as: UTF8.self)
    return "\(bytes.count) bytes: \(prefix.debugDescription)\(bytes.count > 300 ? "…" : "")"
}

/// A printable description of an ``AlertInput``: flags, environment (sorted) and body.
func fuzzDescription(_ input: AlertInput) -> String {
    func short(_ text: String) -> String {
        text.count > 120 ? "\(text.prefix(120).debugDescription)…(\(text.count) characters)" : text.debugDescription
    }
    var parts: [String] = []
    let flags = input.flags
    for (flag, value) in [
        ("--notification-type", flags.notificationType), ("--host", flags.host), ("--host-state", flags.hostState),
        ("--service", flags.service), ("--service-state", flags.serviceState), ("--output", flags.output),
    ] {
        if let value { parts.append("\(flag) \(short(value))") }
    }
    for (name, value) in input.environment.sorted(by: { $0.key < $1.key }) {
        parts.append("\(name)=\(short(value))")
    }
    if let body = input.body { parts.append("stdin \(fuzzDescription(body))") }
    return parts.isEmpty ? "(nothing)" : parts.joined(separator: " ")
}

// MARK: - Statistics

/// A duration in milliseconds, e.g. `1234.5 ms`.
func fuzzMilliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    return "\((milliseconds * 10).rounded() / 10) ms"
}

/// What one fuzz run saw: outcomes by kind and the slowest input.
struct FuzzStats {
    var runs = 0
    var decoded = 0
    var errors: [String: Int] = [:]
    var slowest = Duration.zero

    mutating func record(_ outcome: Result<AlertModel.Notification?, DecodeError>, elapsed: Duration) {
        runs += 1
        slowest = max(slowest, elapsed)
        switch outcome {
        case .success: decoded += 1
        case .failure(let error):
            let kind: String
            switch error {
            case .ambiguous: kind = "ambiguous"
            case .noInput: kind = "noInput"
            case .malformed: kind = "malformed"
            case .empty: kind = "empty"
            }
            errors[kind, default: 0] += 1
        }
    }

    var summary: String {
        let refused = errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "\(decoded) decoded, refused: [\(refused)], slowest \(fuzzMilliseconds(slowest))"
    }
}

// MARK: - Pathological shapes

/// Deeply nested JSON, alone and where the decoders look.
enum DeepInput: String, CaseIterable, CustomStringConvertible, Sendable {
    case arrays, objects, arraysUnclosed, inAlerts, inLabels, inLabelValue, inGenericMember, mixedUnclosed

    var description: String { "deep \(rawValue)" }

    func bytes(depth: Int) -> [UInt8] {
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let objects = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
        let text: String
        switch self {
        case .arrays: text = arrays
        case .objects: text = objects
        case .arraysUnclosed: text = String(repeating: "[", count: depth)
        case .inAlerts: text = "{\"version\":\"4\",\"alerts\":\(arrays)}"
        case .inLabels: text = "{\"version\":\"4\",\"alerts\":[{\"labels\":\(objects)}]}"
        case .inLabelValue: text = "{\"version\":\"4\",\"alerts\":[{\"labels\":{\"alertname\":\"x\",\"a\":\(arrays)}}]}"
        case .inGenericMember: text = "{\"summary\":\"disk full\",\"x\":\(objects)}"
        case .mixedUnclosed: text = String(repeating: "{\"a\":[", count: depth / 2)
        }
        return Array(text.utf8)
    }
}

/// Megabyte strings in every family.
enum HugeInput: String, CaseIterable, CustomStringConvertible, Sendable {
    case genericSummary, genericLabels, plainLine, plainNewlines, keyValueLine, alertmanagerAnnotation,
        alertmanagerManyAlerts, hugeNumber, hugeKey, nagiosOutput, nagiosLongOutputEscapes, nagiosManyCustomVariables,
        icingaOutput, flagsOutput, combiningMarks

    var description: String { "huge \(rawValue)" }

    enum Input {
        case body([UInt8])
        case input(AlertInput)
    }

    var input: Input {
        let mega = String(repeating: "lorem ipsum é😀 ", count: 70_000)  // about 1.3 MB
        let json = { (text: String) in Input.body(Array(text.utf8)) }
        switch self {
        case .genericSummary: return json("{\"summary\":\"\(mega)\",\"host\":\"h\"}")
        case .genericLabels:
            let labels = (0..<50_000).map { "\"l\($0)\":\"v\($0)\"" }.joined(separator: ",")
            return json("{\"summary\":\"s\",\"labels\":{\(labels)}}")
        case .plainLine: return json(mega)
        case .plainNewlines: return json(String(repeating: "\n", count: 1_000_000) + "x" + String(repeating: "\r\n", count: 500_000))
        case .keyValueLine: return json("summary=" + mega + "\n" + String(repeating: "label.a=b\n", count: 100_000))
        case .alertmanagerAnnotation:
            return json("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"},\"annotations\":{\"summary\":\"\(mega)\",\"description\":\"\(mega)\"}}]}")
        case .alertmanagerManyAlerts:
            let alert = "{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"instance\":\"h:1\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\"s\"}}"
            // As many alerts as fit in the largest body ever decoded (AlertInput.maxBodyBytes).
            let count = (AlertInput.maxBodyBytes - 40) / (alert.utf8.count + 1)
            return json("{\"version\":\"4\",\"alerts\":[" + Array(repeating: alert, count: count).joined(separator: ",") + "]}")
        case .hugeNumber:
            let digits = String(repeating: "9", count: 100_000)
            return json("{\"version\":\"4\",\"truncatedAlerts\":\(digits),\"alerts\":[{\"labels\":{\"alertname\":\(digits),\"x\":1e999999,\"y\":-\(digits).\(digits)e-99999}}]}")
        case .hugeKey:
            return json("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"\(mega)\":\"v\",\"alertname\":\"a\"}}],\"\(mega)\":1}")
        case .nagiosOutput:
            return .input(AlertInput(environment: ["NAGIOS_HOSTNAME": "h", "NAGIOS_SERVICEDESC": "s", "NAGIOS_SERVICEOUTPUT": mega, "NAGIOS_LONGSERVICEOUTPUT": mega]))
        case .nagiosLongOutputEscapes:
            return .input(AlertInput(environment: ["NAGIOS_HOSTNAME": "h", "NAGIOS_HOSTOUTPUT": "x", "NAGIOS_LONGHOSTOUTPUT": String(repeating: "\\n\\\\", count: 500_000)]))
        case .nagiosManyCustomVariables:
            var environment = ["NAGIOS_HOSTNAME": "h", "NAGIOS_NOTIFICATIONTYPE": "PROBLEM"]
            for index in 0..<50_000 { environment["NAGIOS__HOSTVAR\(index)"] = "value \(index)" }
            return .input(AlertInput(environment: environment))
        case .icingaOutput:
            return .input(AlertInput(environment: ["NOTIFICATIONTYPE": "PROBLEM", "HOSTNAME": mega, "SERVICENAME": mega, "SERVICEOUTPUT": mega]))
        case .flagsOutput:
            return .input(AlertInput(flags: .init(notificationType: mega, host: mega, service: "s", serviceState: mega, output: mega)))
        case .combiningMarks:
            return json("{\"summary\":\"e" + String(repeating: "\u{301}", count: 500_000) + "\"}")
        }
    }
}

// MARK: - Corpus

/// The fixture files, read once: the seeds every mutation starts from.
struct FuzzCorpus: Sendable {
    var alertmanager: [[UInt8]]
    var generic: [[UInt8]]
    var nagios: [[String: String]]
    var icinga: [[String: String]]

    /// Reads the fixtures (a few kilobytes; each test reads them once).
    static func shared() throws -> FuzzCorpus {
        let fixtures = FixtureDirectory.decoders
        return FuzzCorpus(
            alertmanager: try fixtures.names(in: "alertmanager").map(fixtures.bytes),
            generic: Self.genericSamples.map { Array($0.utf8) },
            nagios: try fixtures.names(in: "nagios").map(fixtures.environment),
            icinga: try fixtures.names(in: "icinga").map(fixtures.environment)
        )
    }

    /// Generic inputs of every kind the generic decoder reads.
    static let genericSamples = [
        "{\"to\":[\"+33612345678\",\"0611223344\"],\"host\":\"web01\",\"service\":\"disk\",\"status\":\"problem\",\"summary\":\"/var is 97% full\",\"details\":\"inode usage 40%\\nlast cleanup 3 days ago\",\"severity\":\"critical\",\"dedup_key\":\"disk-web01-var\",\"url\":\"https://grafana.example.com/d/abc\",\"labels\":{\"env\":\"prod\",\"team\":\"ops\"}}",
        "{\"message\":\"backup failed\",\"type\":\"failure\",\"description\":\"rsync exit 23\"}",
        "to=+33612345678\nhost=db1\nservice=backup\nstatus=critical\nsummary=nightly backup failed\ndetails=rsync: exit 23\\nsee /var/log/backup.log\nlabel.env=prod\n# comment\n",
        "summary=disk full\n",
        "disk full on /var\nused 97% of 50G\n\nrun: du -sh /var/*\n",
        "CRITICAL – “db1” is down… ça arrive €\n",
        "   \n\n  only one line after blanks  \n\n",
    ]
}

// MARK: - Random inputs

/// Seeded randomness (``SplitMix64``) and the input generators. One generator per run, derived
/// from the seed, the decoder's name (its FNV-1a hash) and the run number, so any run replays
/// on its own.
struct FuzzRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64, stream: String, run: Int) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        generator = SplitMix64(seed: seed ^ hash ^ (UInt64(truncatingIfNeeded: run) &* 0x9e37_79b9_7f4a_7c15))
        _ = next()
    }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A length that is usually small and sometimes large.
    mutating func length(typical: Int, rare: Int) -> Int {
        chance(3) ? int(0...rare) : int(0...typical)
    }

    // MARK: Text

    /// Pieces that matter to the decoders: whitespace of every kind, unexpanded macros,
    /// Nagios escapes, types and states, ports, BOMs, invisible and combining characters,
    /// emoji, RTL text, NUL.
    static let pieces = [
        "", " ", "  ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{3000}",
        "$", "$$", "$X$", "$HOSTNAME$", "$SERVICEOUTPUT$", "0", "00", "-1", "18342", "9223372036854775808",
        "\\", "\\n", "\\\\", "\\\\n", "\\t", "n", "=", "==", "#", ".", ":", ":9100", "[::1]:9100", "::1", "http://h:80", "/",
        "PROBLEM", "RECOVERY", "ACKNOWLEDGEMENT", "FLAPPINGSTART", "FLAPPINGEND", "DOWNTIMEREMOVED", "CUSTOM", "firing", "resolved",
        "OK", "WARNING", "CRITICAL", "UNKNOWN", "UP", "DOWN", "UNREACHABLE", "critical", "p1",
        "web01", "HTTP", "db1.example.com", "0001-01-01T00:00:00Z", "2025-03-14T08:00:04.5Z",
        "é", "e\u{301}", "\u{301}", "\u{FEFF}", "\u{200B}", "\u{200D}", "\u{202E}", "👩‍👩‍👧", "🇫🇷", "😀", "€", "’", "“", "…",
        "\u{0}", "\u{7}", "\u{1B}[31m", "\u{FFFD}", "ǅ", "ß", "İ", "日本語", "Ωμέγα", "مرحبا", "\u{10FFFF}", "\u{E000}",
        "+33612345678", "0612345678", "{", "}", "[", "]", "\"", "'", "{{", "}}", ":br:", ":euro:",
    ]

    /// A random Unicode scalar, from every plane (never a surrogate).
    mutating func scalar() -> Unicode.Scalar {
        let ranges: [ClosedRange<UInt32>] = [
            0...0x1F, 0x20...0x7E, 0x7F...0xFF, 0x100...0x7FF, 0x300...0x36F, 0x800...0xD7FF, 0xE000...0xFFFF,
            0x1_0000...0x1_FFFF, 0x1_F300...0x1_FAFF, 0x2_0000...0x10_FFFF,
        ]
        let range = pick(ranges)
        let value = range.lowerBound + UInt32(next() % UInt64(range.upperBound - range.lowerBound + 1))
        return Unicode.Scalar(value) ?? "?"
    }

    /// Random UTF-8 text made of pieces and random scalars; now and then very long.
    mutating func text(maxPieces: Int = 8) -> String {
        if chance(1) {
            let piece = pick(Self.pieces)
            return String(repeating: piece.isEmpty ? "x" : piece, count: int(1_000...40_000))
        }
        var result = String.UnicodeScalarView()
        for _ in 0..<int(0...maxPieces) {
            if chance(40) {
                result.append(scalar())
            } else {
                result.append(contentsOf: pick(Self.pieces).unicodeScalars)
            }
        }
        return String(result)
    }

    /// Random bytes, often invalid UTF-8.
    mutating func bytes(count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        let style = below(4)
        for _ in 0..<count {
            switch style {
            case 0: result.append(UInt8(truncatingIfNeeded: next()))
            case 1: result.append(pick(Array("{}[]\":,0123456789-+.eEtrufalsn \\\n".utf8)))
            case 2: result.append(chance(90) ? UInt8(int(0x20...0x7E)) : UInt8(truncatingIfNeeded: next()))
            default: result.append(pick([0x00, 0x0A, 0x0D, 0x20, 0x7B, 0x7D, 0x22, 0x5C, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]))
            }
        }
        return result
    }

    // MARK: JSON

    static let alertmanagerKeys = [
        "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels", "commonAnnotations",
        "externalURL", "alerts", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint",
        "alertname", "instance", "host", "hostname", "node", "severity", "summary", "message", "title", "description",
    ]
    static let genericKeys = [
        "to", "host", "service", "status", "type", "summary", "message", "details", "description", "severity",
        "dedup_key", "url", "labels", "label.env", "env",
    ]

    /// A JSON string literal of random text, with random escapes (lone surrogates included).
    mutating func jsonString() -> String {
        var literal = "\""
        for scalar in text().unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            default:
                if scalar.value < 0x20 {
                    literal += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    literal.unicodeScalars.append(scalar)
                }
            }
        }
        if chance(10) { literal += pick(["\\u0000", "\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u00e9", "\\/", "\\b\\f\\r\\t", "\\x", "\\u12"]) }
        return literal + "\""
    }

    mutating func jsonScalar() -> String {
        switch below(10) {
        case 0: return pick(["true", "false", "null"])
        case 1, 2:
            return pick([
                "0", "-0", "1", "-1", "3.5", "1e3", "1E-3", "12345678901234567890", "-9223372036854775809", "1e400",
                "-1e400", "2.5e-400", "0.1", "1.0", "9007199254740993", "4294967296", "01", "1.", ".5", "+1", "NaN", "Infinity",
            ])
        default: return jsonString()
        }
    }

    /// A random JSON value using `keys` for member names; malformed now and then.
    mutating func json(keys: [String], depth: Int = 0) -> String {
        let kind = depth > 5 ? 3 : below(6)
        switch kind {
        case 0, 1:
            var members: [String] = []
            for _ in 0..<length(typical: 6, rare: 60) {
                let key = chance(80) ? "\"\(pick(keys))\"" : jsonString()
                members.append("\(key):\(json(keys: keys, depth: depth + 1))")
            }
            return "{" + members.joined(separator: pick([",", ",", ",", ", ", ",\n"])) + "}"
        case 2:
            return "[" + (0..<length(typical: 4, rare: 40)).map { _ in json(keys: keys, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return jsonScalar()
        }
    }

    /// An Alertmanager-shaped payload with random values, shapes and omissions.
    mutating func alertmanagerJSON() -> String {
        var members: [String] = []
        func labelSet(_ random: inout FuzzRandom, _ names: [String]) -> String {
            if random.chance(5) { return random.json(keys: names, depth: 3) }
            let pairs = (0..<random.length(typical: 6, rare: 40)).map { _ in
                "\"\(random.chance(80) ? random.pick(names) : random.text(maxPieces: 3).replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "\"", with: ""))\":\(random.jsonScalar())"
            }
            return "{" + pairs.joined(separator: ",") + "}"
        }
        let labelNames = ["alertname", "instance", "host", "hostname", "node", "severity", "job", "env", "cluster", "prometheus", "pod", "namespace"]
        let annotationNames = ["summary", "message", "title", "description", "runbook_url"]
        if chance(80) { members.append("\"version\":\(chance(80) ? "\"4\"" : jsonScalar())") }
        if chance(60) { members.append("\"receiver\":\(jsonScalar())") }
        if chance(60) { members.append("\"groupKey\":\(jsonScalar())") }
        if chance(60) { members.append("\"status\":\(chance(70) ? pick(["\"firing\"", "\"resolved\""]) : jsonScalar())") }
        if chance(30) { members.append("\"truncatedAlerts\":\(jsonScalar())") }
        if chance(40) { members.append("\"groupLabels\":\(labelSet(&self, labelNames))") }
        if chance(40) { members.append("\"commonLabels\":\(labelSet(&self, labelNames))") }
        if chance(40) { members.append("\"commonAnnotations\":\(labelSet(&self, annotationNames))") }
        if chance(30) { members.append("\"externalURL\":\(jsonScalar())") }
        if chance(10) { members.append("\"\(pick(Self.alertmanagerKeys))\":\(json(keys: Self.alertmanagerKeys, depth: 2))") }
        if chance(95) {
            if chance(5) {
                members.append("\"alerts\":\(json(keys: Self.alertmanagerKeys, depth: 3))")
            } else {
                var alerts: [String] = []
                for _ in 0..<length(typical: 5, rare: 200) {
                    if chance(3) { alerts.append(jsonScalar()); continue }
                    var fields: [String] = []
                    if chance(80) { fields.append("\"status\":\(chance(70) ? pick(["\"firing\"", "\"resolved\""]) : jsonScalar())") }
                    if chance(90) { fields.append("\"labels\":\(labelSet(&self, labelNames))") }
                    if chance(80) { fields.append("\"annotations\":\(labelSet(&self, annotationNames))") }
                    for field in ["startsAt", "endsAt", "generatorURL", "fingerprint"] where chance(60) {
                        fields.append("\"\(field)\":\(jsonScalar())")
                    }
                    alerts.append("{" + fields.shuffled(using: &self).joined(separator: ",") + "}")
                }
                members.append("\"alerts\":[" + alerts.joined(separator: ",") + "]")
            }
        }
        return "{" + members.shuffled(using: &self).joined(separator: ",") + "}"
    }

    /// A generic JSON object, `key=value` lines or plain text.
    mutating func genericText() -> String {
        switch below(3) {
        case 0:
            var members: [String] = []
            for _ in 0..<length(typical: 6, rare: 50) {
                let key = chance(85) ? pick(Self.genericKeys) : text(maxPieces: 2).replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "\\", with: "")
                let value: String
                switch key {
                case "labels": value = chance(80) ? json(keys: ["env", "team", "a", ""], depth: 4) : jsonScalar()
                case "to": value = chance(50) ? "[" + (0..<below(4)).map { _ in jsonScalar() }.joined(separator: ",") + "]" : jsonScalar()
                default: value = chance(90) ? jsonScalar() : json(keys: Self.genericKeys, depth: 3)
                }
                members.append("\"\(key)\":\(value)")
            }
            return "{" + members.joined(separator: ",") + "}"
        case 1:
            let keys = Self.genericKeys + ["label.a", "label.", "_x", "x-y", "9x", "", " host", "HOST", "Summary"]
            return (0..<length(typical: 8, rare: 80)).map { _ in
                switch below(10) {
                case 0: return "# " + text(maxPieces: 3)
                case 1: return text(maxPieces: 3)
                default: return pick(keys) + pick(["=", " = ", "=="]) + text(maxPieces: 4)
                }
            }.joined(separator: pick(["\n", "\r\n", "\r", "\u{2028}"]))
        default:
            return (0..<length(typical: 5, rare: 200)).map { _ in text(maxPieces: 10) }.joined(separator: "\n")
        }
    }

    // MARK: Mutations

    /// 1 to 8 mutations of `bytes`: bit flips, random bytes, truncation, deletion,
    /// duplication, splices from `others`, inserted tokens.
    mutating func mutate(_ original: [UInt8], others: [[UInt8]]) -> [UInt8] {
        var bytes = original
        for _ in 0..<int(1...8) {
            let position = below(bytes.count + 1)
            switch below(9) {
            case 0 where !bytes.isEmpty:
                let index = below(bytes.count)
                bytes[index] ^= UInt8(1) << UInt8(below(8))
            case 1 where !bytes.isEmpty:
                bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next())
            case 2:
                bytes.removeSubrange(position...)
            case 3 where !bytes.isEmpty:
                let start = below(bytes.count)
                let end = min(bytes.count, start + int(1...64))
                bytes.removeSubrange(start..<end)
            case 4 where !bytes.isEmpty:
                let start = below(bytes.count)
                let end = min(bytes.count, start + int(1...256))
                let chunk = Array(bytes[start..<end])
                for _ in 0..<int(1...(chance(5) ? 200 : 3)) { bytes.insert(contentsOf: chunk, at: start) }
            case 5:
                let donor = pick(others)
                guard !donor.isEmpty else { continue }
                let start = below(donor.count)
                let end = min(donor.count, start + int(1...512))
                if chance(50) {
                    bytes.insert(contentsOf: donor[start..<end], at: position)
                } else {
                    bytes = Array(bytes[..<position]) + Array(donor[start...])
                }
            case 6:
                let token = pick(["{", "}", "[", "]", "\"", ",", ":", "null", "\\", "\\u", "\"alerts\":", "\"labels\":{}", "[[[[[[[[", "\u{0}", "\u{FEFF}", "1e999", "\n", "=", "\"version\":4,"])
                bytes.insert(contentsOf: Array(token.utf8), at: position)
            case 7:
                bytes.insert(contentsOf: self.bytes(count: int(1...16)), at: position)
            default:
                if position < bytes.count, chance(50) {
                    bytes.swapAt(position, below(bytes.count))
                } else {
                    bytes.insert(contentsOf: Array(text(maxPieces: 3).utf8), at: position)
                }
            }
        }
        return bytes
    }

    /// A body for a byte decoder, leaning towards what `family` reads.
    mutating func body(corpus: FuzzCorpus, leaning family: InputFormat) -> [UInt8] {
        let seeds = family == .alertmanager ? corpus.alertmanager : corpus.generic
        let everything = corpus.alertmanager + corpus.generic
        var body: [UInt8]
        switch below(10) {
        case 0: body = bytes(count: length(typical: 64, rare: 4_096))
        case 1: body = Array(text(maxPieces: 40).utf8)
        case 2, 3: body = mutate(pick(seeds), others: everything)
        case 4: body = mutate(pick(everything), others: everything)
        case 5, 6:
            body = Array((family == .alertmanager ? alertmanagerJSON() : genericText()).utf8)
            if chance(30) { body = mutate(body, others: everything) }
        case 7: body = Array((family == .alertmanager ? genericText() : alertmanagerJSON()).utf8)
        case 8: body = Array(json(keys: family == .alertmanager ? Self.alertmanagerKeys : Self.genericKeys).utf8)
        default:
            let depth = int(1...(chance(10) ? 3_000 : 200))
            let open = pick(["[", "{\"alerts\":", "{\"labels\":", "{\"a\":[", "{\"summary\":"])
            body = Array((String(repeating: open, count: depth) + (chance(50) ? "1" : "")).utf8)
        }
        if chance(5) { body = [0xEF, 0xBB, 0xBF] + body }
        if chance(5) { body += Array(pick([" ", "\n", "\u{0}", "garbage", "}", "]", "{}"]).utf8) }
        return body
    }

    // MARK: Environments

    /// Every macro name the Nagios decoder reads, and a few it must ignore.
    static let nagiosNames = [
        "NAGIOS_NOTIFICATIONTYPE", "NAGIOS_HOSTNAME", "NAGIOS_HOSTALIAS", "NAGIOS_HOSTADDRESS", "NAGIOS_HOSTSTATE",
        "NAGIOS_HOSTOUTPUT", "NAGIOS_LONGHOSTOUTPUT", "NAGIOS_HOSTPROBLEMID", "NAGIOS_LASTHOSTPROBLEMID",
        "NAGIOS_HOSTACKAUTHOR", "NAGIOS_HOSTACKCOMMENT", "NAGIOS_SERVICEDESC", "NAGIOS_SERVICEDISPLAYNAME",
        "NAGIOS_SERVICESTATE", "NAGIOS_SERVICEOUTPUT", "NAGIOS_LONGSERVICEOUTPUT", "NAGIOS_SERVICEPROBLEMID",
        "NAGIOS_LASTSERVICEPROBLEMID", "NAGIOS_SERVICEACKAUTHOR", "NAGIOS_SERVICEACKCOMMENT", "NAGIOS_LONGDATETIME",
        "NAGIOS_NOTIFICATIONAUTHOR", "NAGIOS_NOTIFICATIONAUTHORNAME", "NAGIOS_NOTIFICATIONCOMMENT", "NAGIOS_CONTACTPAGER",
        "NAGIOS_CONTACTADDRESS0", "NAGIOS_CONTACTADDRESS1", "NAGIOS_CONTACTADDRESS5", "NAGIOS_CONTACTADDRESS6",
        "NAGIOS__HOSTSEVERITY", "NAGIOS__SERVICESEVERITY", "NAGIOS__HOSTTEAM", "NAGIOS__SERVICE", "NAGIOS__HOST",
        "NAGIOS__CONTACTPHONE", "NAGIOS__OTHERX", "NAGIOS__HOSTé", "NAGIOS_", "NAGIOS__", "NAGIOS_HOSTDISPLAYNAME",
        "NAGIOS_SERVICEPERFDATA", "NAGIOS_TOTALSERVICESOK",
    ]

    /// Every name the Icinga decoder reads, and a few it must ignore.
    static let icingaNames = [
        "NOTIFICATIONTYPE", "HOSTNAME", "HOSTALIAS", "HOSTDISPLAYNAME", "HOSTADDRESS", "HOSTADDRESS6", "HOSTSTATE",
        "HOSTOUTPUT", "SERVICENAME", "SERVICEDESC", "SERVICEDISPLAYNAME", "SERVICESTATE", "SERVICEOUTPUT",
        "LONGDATETIME", "NOTIFICATIONAUTHORNAME", "NOTIFICATIONCOMMENT", "USERPAGER", "USEREMAIL", "ICINGAWEB2URL",
        "MAILFROM", "PATH", "LANG",
    ]

    /// A value for an environment variable: random text, or a piece that matters.
    mutating func environmentValue() -> String {
        chance(30) ? pick(Self.pieces) : text()
    }

    /// A random environment made of real macro names (and sometimes a mutated fixture).
    mutating func environment(corpus: FuzzCorpus, family: InputFormat) -> [String: String] {
        let names: [String]
        let fixtures: [[String: String]]
        switch family {
        case .nagios: (names, fixtures) = (Self.nagiosNames, corpus.nagios)
        case .icinga: (names, fixtures) = (Self.icingaNames, corpus.icinga)
        default: (names, fixtures) = (Self.nagiosNames + Self.icingaNames, corpus.nagios + corpus.icinga)
        }
        var environment: [String: String]
        if chance(40), !fixtures.isEmpty {
            environment = pick(fixtures)
            for _ in 0..<int(1...10) {
                guard let key = environment.keys.sorted().randomElement(using: &self) else { break }
                switch below(5) {
                case 0: environment[key] = nil
                case 1: environment[key] = ""
                case 2: environment[key] = environmentValue()
                case 3:
                    let mutated = mutate(Array((environment[key] ?? "").utf8), others: [Array(environmentValue().utf8)])
                    environment[key] = String(decoding: mutated, as: UTF8.self)
                default: environment[pick(names)] = environmentValue()
                }
            }
        } else {
            environment = [:]
            for _ in 0..<length(typical: 12, rare: 60) { environment[pick(names)] = environmentValue() }
        }
        if chance(10) { environment["NAGIOS__HOST\(text(maxPieces: 2))"] = environmentValue() }
        return environment
    }

    /// Random alert flags (each absent, blank, a real value or random text).
    mutating func flags() -> AlertInput.Flags {
        func value(_ random: inout FuzzRandom, _ real: [String]) -> String? {
            switch random.below(4) {
            case 0: return nil
            case 1: return random.pick(real)
            default: return random.environmentValue()
            }
        }
        return AlertInput.Flags(
            notificationType: value(&self, ["PROBLEM", "RECOVERY", "ACKNOWLEDGEMENT", "$NOTIFICATIONTYPE$"]),
            host: value(&self, ["web01", " ", "$HOSTNAME$"]),
            hostState: value(&self, ["UP", "DOWN"]),
            service: value(&self, ["HTTP", "", "$SERVICEDESC$"]),
            serviceState: value(&self, ["OK", "CRITICAL"]),
            output: value(&self, ["Connection refused", "line 1\nline 2", "\\n"])
        )
    }

    /// A whole input: for `nagios`/`icinga` mostly environments (sometimes flags), for `auto`
    /// any mix of flags, both environments and a body.
    mutating func alertInput(corpus: FuzzCorpus, family: InputFormat) -> AlertInput {
        var input = AlertInput()
        switch family {
        case .nagios, .icinga:
            if chance(25) { input.flags = flags() }
            if chance(85) { input.environment = environment(corpus: corpus, family: family) }
            if chance(20) { input.body = body(corpus: corpus, leaning: .generic) }
        default:
            if chance(15) { input.flags = flags() }
            switch below(5) {
            case 0: input.environment = environment(corpus: corpus, family: .nagios)
            case 1: input.environment = environment(corpus: corpus, family: .icinga)
            case 2: input.environment = environment(corpus: corpus, family: .auto)
            default: input.environment = chance(50) ? [:] : ["PATH": "/usr/bin", "HOSTNAME": "container-1a2b", "LANG": "C"]
            }
            if chance(85) { input.body = body(corpus: corpus, leaning: chance(50) ? .alertmanager : .generic) }
        }
        return input
    }
}
