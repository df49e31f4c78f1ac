import Foundation
import GRDB
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// README promises of `send`, `flush` and `status` that had no test (issue 19): an ambiguous
/// environment, the generic fields, `subject_labels` and `noise_labels`, a store from a newer
/// version, `flush` and `status` on a store they cannot use, `status` on a read-only file, and
/// the due deliveries a successful `send` takes along, and `status`'s text report. The built
/// binary against the fake.
@Suite("README promises", .timeLimit(.minutes(3)))
struct ReadmePromiseTests {
    /// A dry run contacts nothing: an API URL nobody listens on.
    static let dryRunEnv = ["SMSPARTNER_API_URL": "http://127.0.0.1:9/v1"]

    /// The `text:` line of a dry run, without its name.
    static func text(_ result: CLIResult) -> String {
        result.stdoutLines.first { $0.hasPrefix("text: ") }.map { String($0.dropFirst("text: ".count)) } ?? ""
    }

    /// Marks the store in `stateDir` as written by a newer smspartner-notify: its
    /// `PRAGMA user_version` past any this one knows.
    static func makeNewer(_ stateDir: String) throws {
        let queue = try DatabaseQueue(path: stateDir + "/state.db")
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = 1000") }
    }

    // MARK: - Inputs and --format

    /// README "Inputs and `--format`": "Both Nagios and Icinga variables at once … is
    /// ambiguous: pass `--format`"; `--format auto` "refuses to guess (exit 65, naming what it
    /// saw)".
    @Test("Nagios and Icinga variables in the environment at once are ambiguous: exit 65 with one line, nothing sent; --format picks one")
    func nagiosAndIcingaAtOnce() async throws {
        let both = [
            "NAGIOS_NOTIFICATIONTYPE": "PROBLEM", "NAGIOS_HOSTNAME": "web01", "NAGIOS_SERVICEDESC": "HTTP",
            "NAGIOS_SERVICESTATE": "CRITICAL", "NAGIOS_SERVICEOUTPUT": "seen by Nagios",
            "NOTIFICATIONTYPE": "PROBLEM", "HOSTNAME": "web02", "SERVICENAME": "https", "SERVICESTATE": "WARNING",
            "SERVICEOUTPUT": "seen by Icinga",
        ]
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let env = state.env(fake, extra: both)
            let ambiguous = try await CLI.run(["send", "--to", "0600000000"], env: env)
            #expect(ambiguous.exitCode == 65, "\(ambiguous.summary)")
            #expect(ambiguous.stderr.contains("cannot tell the input format"), "\(ambiguous.summary)")
            #expect(ambiguous.stderr.contains("NAGIOS_*") && ambiguous.stderr.contains("NOTIFICATIONTYPE"), "names what it saw: \(ambiguous.summary)")
            #expect(ambiguous.stderr.contains("pass --format"), "\(ambiguous.summary)")
            #expect(ambiguous.stdout.isEmpty, "\(ambiguous.summary)")
            #expect(fake.requests.isEmpty, "nothing sent")

            for format in ["nagios", "icinga"] {
                let chosen = try await CLI.run(["send", "--to", "0600000000", "--format", format], env: env)
                #expect(chosen.exitCode == 0, "\(chosen.summary)")
            }
            #expect(fake.deliveredMessages.compactMap(\.message) == [
                "PROBLEM web01/HTTP CRITICAL: seen by Nagios", "PROBLEM web02/https WARNING: seen by Icinga",
            ])
        }
    }

    /// The same generic alert as a JSON object and as `key=value` lines.
    static let genericInputs: [(String, String)] = [
        ("JSON object", """
            {"host": "nas1", "service": "backup", "status": "problem", "summary": "backup failed",
             "severity": "critical", "url": "https://grafana.example.net/d/backup",
             "labels": {"team": "storage", "env": "prod"}, "site": "paris"}
            """),
        ("key=value lines", """
            host=nas1
            service=backup
            status=problem
            summary=backup failed
            severity=critical
            url=https://grafana.example.net/d/backup
            label.team=storage
            label.env=prod
            site=paris
            """),
    ]

    /// README "Inputs and `--format`": the generic vocabulary has `severity`, `url` and
    /// `labels` ("(JSON) an object of name → value; (lines) `label.NAME=value`; any other key
    /// is a label too"); "The SMS text": they are the variables `severity`, `url`, `labels.NAME`.
    @Test("generic input: severity, url and labels (an object, label.NAME=value, any other key) are read", arguments: genericInputs)
    func genericFields(_ name: String, _ input: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", """
            templates:
              generic: "{{severity}} {{host}}/{{service}} team {{labels.team}} in {{labels.env}} at {{labels.site}}: {{url}}"
            """)
        let plain = try await CLI.run(["send", "--dry-run", "--to", "0600000000"], env: Self.dryRunEnv, stdin: input)
        #expect(plain.exitCode == 0, "\(plain.summary)")
        #expect(plain.stdoutLines.contains("format: generic"), "\(plain.summary)")
        for line in ["severity: critical", "url: https://grafana.example.net/d/backup", "labels: env=prod site=paris team=storage"] {
            #expect(plain.stdoutLines.contains(line), "missing \(line): \(plain.summary)")
        }
        let templated = try await CLI.run(["send", "--dry-run", "--to", "0600000000", "--config", config], env: Self.dryRunEnv, stdin: input)
        #expect(templated.exitCode == 0, "\(templated.summary)")
        #expect(Self.text(templated) == "critical nas1/backup team storage in prod at paris: https://grafana.example.net/d/backup",
                "\(templated.summary)")
    }

    // MARK: - The SMS text

    /// README "The SMS text": "Absent values are absent (`{{#host}}…{{/host}}` skips them)";
    /// "runs of spaces collapse and blank lines drop afterwards". A template with sections,
    /// double spaces and blank lines, given an alert with and without the fields.
    @Test("templates: absent values are absent, runs of spaces collapse and blank lines drop", arguments: [
        ("summary=disk   full\n", "ALERT: disk full"),
        ("host=db1\nsummary=disk full\ndetails=97% used\nurl=https://grafana.example.net/d/db1\n",
         "ALERT on db1: disk full:br:97% used:br:see https://grafana.example.net/d/db1"),
    ])
    func templateCleanUp(_ input: String, _ expected: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", #"""
            templates:
              generic: "ALERT{{#host}} on {{host}}{{/host}}{{#service}}/{{service}}{{/service}}:   {{summary}}\n\n\n{{details}}\n\n{{#url}}see {{url}}{{/url}}"
            """#)
        let result = try await CLI.run(["send", "--dry-run", "--to", "0600000000", "--config", config], env: Self.dryRunEnv, stdin: input)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdoutLines.contains("template: generic (config)"), "\(result.summary)")
        #expect(Self.text(result) == expected, "\(result.summary)")
    }

    // MARK: - Kubernetes and exporter alerts

    /// README "Kubernetes and exporter alerts": "`subject_labels: [...]` tries labels of your
    /// own first; `noise_labels: [...]` drops more. `send --dry-run` says `subject-from:` and
    /// `noise-labels:`." A kube-prometheus payload, with and without both settings.
    @Test("subject_labels are tried first and noise_labels dropped; send --dry-run says subject-from: and noise-labels:")
    func subjectAndNoiseLabels() async throws {
        let webhook = try FixtureDirectory.kubernetes.text("kubepodcrashlooping-exported-labels.json")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "subject_labels: [cluster]\nnoise_labels: [reason]\n")
        /// The labels of an SMS: what comes before the summary.
        func head(_ result: CLIResult) -> String {
            let text = Self.text(result)
            return text.firstRange(of: ": ").map { String(text[..<$0.lowerBound]) } ?? text
        }
        func line(_ name: String, _ result: CLIResult) -> [String] {
            result.stdoutLines.first { $0.hasPrefix(name + ": ") }
                .map { $0.dropFirst(name.count + 2).split(separator: ",").map(String.init) } ?? []
        }

        let standard = try await CLI.run(["send", "--dry-run", "--to", "0600000000"], env: Self.dryRunEnv, stdin: webhook)
        #expect(standard.exitCode == 0, "\(standard.summary)")
        #expect(line("subject-from", standard) == ["exported_namespace", "exported_pod"], "\(standard.summary)")
        #expect(line("noise-labels", standard).contains("job") && !line("noise-labels", standard).contains("reason"), "\(standard.summary)")
        #expect(head(standard) == "FIRING KubePodCrashLooping shop/checkout-api-7d9f8b6c4d-x2x7q warning prod-eu-1 CrashLoopBackOff",
                "\(standard.summary)")

        let configured = try await CLI.run(["send", "--dry-run", "--to", "0600000000", "--config", config], env: Self.dryRunEnv, stdin: webhook)
        #expect(configured.exitCode == 0, "\(configured.summary)")
        #expect(line("subject-from", configured) == ["cluster"], "subject_labels first: \(configured.summary)")
        #expect(line("noise-labels", configured).contains("reason"), "noise_labels dropped: \(configured.summary)")
        #expect(line("noise-labels", configured).contains("job"), "the built-in noise still dropped: \(configured.summary)")
        #expect(head(configured).hasPrefix("FIRING KubePodCrashLooping prod-eu-1 warning"), "\(configured.summary)")
        #expect(!head(configured).contains("CrashLoopBackOff"), "\(configured.summary)")
    }

    // MARK: - A store from a newer version

    /// README "the shared state": "When the store cannot be used, `send` fails open … a
    /// database written by a newer version …: the SMS is sent without deduplication or rate
    /// limits … the exit status is **73**". The same alert as before is sent again: no
    /// deduplication.
    @Test("a database written by a newer version: the same alert is sent again without state, exit 73 naming it")
    func newerDatabaseFailsOpen() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let first = try await CLI.run(StoreFailureTests.alert, env: state.env(fake))
            #expect(first.exitCode == 0, "\(first.summary)")
            try Self.makeNewer(state.dir)
            let result = try await CLI.run(StoreFailureTests.alert, env: state.env(fake))
            StoreFailureTests.expectSentWithoutState(result, fake, before: 1, mentions: ["\(state.dir)/state.db was written by a newer smspartner-notify"])
        }
    }

    // MARK: - flush and status on a store they cannot use

    enum UnusableStore: String, CaseIterable, CustomTestStringConvertible {
        case notADatabase = "a file that is not a database"
        case newerVersion = "a database from a newer version"
        case fileAsDirectory = "a file where the state directory should be"
        var testDescription: String { rawValue }
    }

    /// README "the shared state": "`flush` and `status` still stop with one line (78, 75 for a
    /// lock)"; "Exit codes": 78 "for `flush` and `status`, a state store that cannot be used".
    @Test("flush and status stop with one line, exit 78, on a store they cannot use",
          arguments: [["flush"], ["status"], ["status", "--json"]], UnusableStore.allCases)
    func unusableStoreStops(_ command: [String], _ damage: UnusableStore) async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let mentions: String
            switch damage {
            case .notADatabase:
                _ = try state.scratch.makeDirectory("state")
                try state.scratch.write("state/state.db", Data((0..<16384).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
                mentions = "\(state.dir)/state.db is damaged"
            case .newerVersion:
                // Queued (nobody listens on port 9): a flush would have something to send.
                let created = try await CLI.run(["send", "--to", "0600000000", "--message", "disk full", "--timeout", "2"],
                                                env: state.env(fake, extra: Self.dryRunEnv))
                #expect(created.exitCode == 75, "queued: \(created.summary)")
                try Self.makeNewer(state.dir)
                mentions = "\(state.dir)/state.db was written by a newer smspartner-notify"
            case .fileAsDirectory:
                _ = try state.scratch.write("state", "not a directory")
                mentions = "state directory \(state.dir) is unusable (not a directory)"
            }
            let result = try await CLI.run(command, env: state.env(fake))
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains(mentions), "names the problem: \(result.summary)")
            #expect(result.stdout.isEmpty, "\(result.summary)")
            #expect(fake.requests.isEmpty, "nothing sent")
        }
    }

    /// README "the shared state": `flush` stops with "75 for a lock"; "Exit codes": 75 is "not
    /// sent yet … `flush` retries it".
    @Test("flush stops with exit 75 and one line while another process holds the store; the next flush sends")
    func flushOnALockedStore() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let start = Date()
        try await withFake { fake in
            fake.setDefaultReply(.http(status: 503, body: "<html>Service Unavailable</html>"))
            let queued = try await CLI.run(PromiseTests.serviceAlert("web01") + ["--timeout", "2"], env: state.env(fake, now: start))
            #expect(queued.exitCode == 75, "\(queued.summary)")
            fake.setDefaultReply(.accept)
            let before = fake.requests.count

            let lock = try StoreLock(database: state.dir + "/state.db")
            let locked = try await CLI.run(["flush", "--timeout", "2"], env: state.env(fake, now: start.addingTimeInterval(120)))
            lock.release()
            #expect(locked.exitCode == 75, "\(locked.summary)")
            #expect(locked.stderr.contains("\(state.dir)/state.db stayed locked by another process"), "\(locked.summary)")
            #expect(fake.requests.count == before, "no request while the store was locked")

            let flush = try await CLI.run(["flush"], env: state.env(fake, now: start.addingTimeInterval(180)))
            #expect(flush.exitCode == 0, "\(flush.summary)")
            #expect(fake.deliveredMessages.count == 1, "\(flush.summary)")
        }
    }

    // MARK: - status on a read-only file

    /// README "`status`": "Reads the state without changing it (a read-only file is fine)".
    /// Run by another user (`nobody`, when run as root) on a store of mode 0444 in a directory
    /// it may not write.
    @Test("status works on a read-only state file, and leaves it as it was")
    func statusOnAReadOnlyFile() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let sent = try await CLI.run(PromiseTests.serviceAlert("web01"), env: state.env(fake))
            #expect(sent.exitCode == 0, "\(sent.summary)")
            let files = try FileManager.default.contentsOfDirectory(atPath: state.dir)
            for file in files { chmod(state.dir + "/" + file, 0o444) }
            chmod(state.scratch.root, 0o755)
            chmod(state.dir, 0o555)
            defer { chmod(state.dir, 0o755) }
            let contents = { try files.map { try Data(contentsOf: URL(fileURLWithPath: state.dir + "/" + $0)) } }
            let before = try contents()

            let json = try await StoreFailureTests.asUnprivileged(["status", "--json"], env: state.env(fake))
            #expect(json.exitCode == 0, "\(json.summary)")
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let hour = (document?["windows"] as? [String: Any])?["1h"] as? [String: Any]
            #expect(hour?["sent"] as? Int == 1, "\(json.summary)")
            #expect((document?["latest"] as? [Any])?.count == 1, "\(json.summary)")

            let text = try await StoreFailureTests.asUnprivileged(["status"], env: state.env(fake))
            #expect(text.exitCode == 0, "\(text.summary)")
            #expect(text.stdoutLines.first == "state: \(state.dir)/state.db", "\(text.summary)")
            #expect(text.stdoutLines.contains { $0.hasPrefix("last 1h: sent 1 ") }, "\(text.summary)")
            #expect(try contents() == before, "status changed the store")
            #expect(try FileManager.default.contentsOfDirectory(atPath: state.dir).sorted() == files.sorted())
        }
    }

    // MARK: - The outbox

    /// README "The outbox": "Each successful `send` also takes up to 10 due deliveries along."
    /// 11 deliveries queued during an outage (other recipients), then one successful `send`.
    @Test("each successful send takes up to 10 due deliveries along; the rest waits for flush")
    func sendTakesTenAlong() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let config = try state.scratch.write("config.yml", "retry_delay: 1s\n")
        let queuedNumbers = (0..<11).map { "+336100000" + String(format: "%02d", $0) }
        let start = Date()
        try await withFake { fake in
            let env = { (at: Date) in state.env(fake, now: at, extra: ["SMSPARTNER_NOTIFY_CONFIG": config]) }
            fake.setDefaultReply(.http(status: 503, body: "<html>Service Unavailable</html>"))
            let queued = try await CLI.run(
                ["send", "--to", queuedNumbers.joined(separator: ","), "--message", "disk full on db1", "--timeout", "2"], env: env(start))
            #expect(queued.exitCode == 75, "\(queued.summary)")
            let before = try await state.status(fake, now: start)["outbox"] as? [String: Any]
            #expect(before?["queued"] as? Int == 11, "\(String(describing: before)): \(queued.summary)")
            fake.setDefaultReply(.accept)

            let sent = try await CLI.run(["send", "--to", "+33699999999", "--message", "disk full on db2"], env: env(start.addingTimeInterval(120)))
            #expect(sent.exitCode == 0, "\(sent.summary)")
            #expect(sent.stdoutLines.first?.hasPrefix("sent: +33699999999 ") == true, "\(sent.summary)")
            #expect(sent.stdoutLines.contains("flushed: 10 queued SMS sent, 0 digest(s) queued, 1 still queued"), "\(sent.summary)")
            let along = fake.deliveredMessages.filter { $0.message?.hasSuffix("disk full on db1") == true }.flatMap(\.numbers)
            #expect(along.count == 10 && Set(along).count == 10 && Set(along).isSubset(of: queuedNumbers), "\(along)")
            let after = try await state.status(fake, now: start.addingTimeInterval(120))["outbox"] as? [String: Any]
            #expect(after?["queued"] as? Int == 1, "\(String(describing: after))")

            let flush = try await CLI.run(["flush"], env: env(start.addingTimeInterval(180)))
            #expect(flush.exitCode == 0, "\(flush.summary)")
            let all = fake.deliveredMessages.filter { $0.message?.hasSuffix("disk full on db1") == true }.flatMap(\.numbers)
            #expect(all.sorted() == queuedNumbers, "each queued one exactly once: \(all)")
        }
    }

    // MARK: - status, as text

    /// README "`status`": the text report, line by line (`state:`, `outbox:`, `held for
    /// digests:`, `last success:`, `last 1h:`, `last 24h:`, `latest:`). Every command runs at a
    /// fixed SMSPARTNER_NOTIFY_FAKE_NOW and in UTC, so the report is the same on every run; the
    /// state directory's path stands as `$STATE_DIR` in the expected file.
    @Test("status prints the text report of the README: state, outbox, held, last success, the 1h and 24h windows, latest")
    func statusTextReport() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let start = Date(timeIntervalSince1970: 1_796_133_600)  // 2026-12-01 14:00:00 UTC
        try await withFake { fake in
            let env = { (minutes: Double) in state.env(fake, now: start.addingTimeInterval(minutes * 60), extra: ["TZ": "UTC"]) }
            // Sent, then the same alert again: a duplicate.
            for minute in [0.0, 1] {
                let result = try await CLI.run(StateTests.serviceAlert("web01"), env: env(minute))
                #expect(result.exitCode == 0, "\(result.summary)")
            }
            // Five more alerts to the same number: past the rate limit (5 in 15m) one is held.
            for (index, host) in ["db1", "db2", "db3", "db4", "db5"].enumerated() {
                let result = try await CLI.run(StateTests.serviceAlert(host, state: "WARNING"), env: env(2 + Double(index)))
                #expect(result.exitCode == 0, "\(result.summary)")
            }
            // SMSPartner down past the timeout: queued in the outbox.
            fake.setDefaultReply(.http(status: 503, body: "<html>Service Unavailable</html>"))
            let queued = try await CLI.run(
                ["send", "--to", "+33611111111", "--message", "disk full on nas1", "--timeout", "2"], env: env(8))
            #expect(queued.exitCode == 75, "\(queued.summary)")
            fake.setDefaultReply(.accept)

            let status = try await CLI.run(["status"], env: env(11))
            #expect(status.exitCode == 0, "\(status.summary)")
            #expect(status.stdout.hasPrefix("state: \(state.dir)/"), "\(status.summary)")
            try FixtureDirectory.endToEnd.expectMatches(
                status.stdout.replacingOccurrences(of: state.dir, with: "$STATE_DIR"), "status-report.txt")
        }
    }
}
