import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// scripts/build-deb packages the binary the tests run (.build/debug), dpkg installs it on this
// machine, and the user nagios (Debian's Nagios 4 and Icinga 2 run their commands as nagios)
// sends with nothing but what the package set up: the default configuration
// /etc/smspartner-notify/config.yml names the key file and the state directory
// /var/lib/smspartner-notify; only SMSPARTNER_API_URL points at the fake. The key is written
// root-only between the install and a reinstall, whose postinst must give it to the group. Then
// `dpkg --purge`, always, even when a check failed.
//
// It changes the machine (/usr/bin, /etc, /var/lib, a system group), so it needs root (CI runs
// as root) and a machine without smspartner-notify installed; it holds the LoadGate exclusively
// from the install to the purge, so that no other test's binary reads the installed
// /etc/smspartner-notify/config.yml meanwhile. Needs dpkg-dev (dpkg-shlibdeps), binutils (strip)
// and the user nagios (nagios4-core); SMSPARTNER_SKIP_PACKAGE=1 skips it.

/// The Debian package: built by `scripts/build-deb`, installed with dpkg, used by `nagios`, purged.
@Suite(
    "Debian package: scripts/build-deb, dpkg -i, a send as nagios, dpkg --purge",
    .disabled(if: DebianPackage.skipRequested, "SMSPARTNER_SKIP_PACKAGE=1"),
    .timeLimit(.minutes(5)))
struct DebianPackageTests {
    static let pager = "+33600000003"

    @Test("the maintainer scripts and scripts/build-deb parse (sh -n, bash -n; shellcheck where installed)")
    func scriptsParse() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let scripts = [
            ("/bin/sh", DebianPackage.source("packaging/deb/postinst"), "sh"),
            ("/bin/sh", DebianPackage.source("packaging/deb/postrm"), "sh"),
            ("/bin/bash", DebianPackage.source("scripts/build-deb"), "bash"),
        ]
        for (shell, script, dialect) in scripts {
            let parsed = try await runTool(shell, ["-n", script], output: scratch.path("parse.out"))
            #expect(parsed.status == 0, "\(shell) -n \(script):\n\(parsed.output)")
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck") {
                let checked = try await runTool("/usr/bin/shellcheck", ["-s", dialect, script], output: scratch.path("shellcheck.out"))
                #expect(checked.status == 0, "shellcheck \(script):\n\(checked.output)")
            }
        }
    }

    @Test("installed as root, it sets up group, modes and state; nagios sends with the defaults; purge removes it")
    func installSendPurge() async throws {
        try DebianPackage.requireMachine()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }

        // Building (strip, dpkg-shlibdeps, compression) and installing write and read tens of
        // megabytes and take seconds of CPU: no timing-sensitive test runs beside them. And from
        // the install to the purge, no other test's binary may read the installed
        // /etc/smspartner-notify/config.yml.
        try await withFake { fake in
            try await LoadGate.shared.with(exclusive: true) {
                let deb = try await Self.build(scratch: scratch)
                var failure: (any Error)?
                do {
                    try await Self.installAndSend(deb: deb, fake: fake, scratch: scratch)
                } catch {
                    failure = error
                }
                try await DebianPackage.purge(scratch: scratch)
                if let failure { throw failure }
            }
        }
    }

    /// `scripts/build-deb` on the directory of the binary the tests run; the .deb's path.
    static func build(scratch: TemporaryDirectory) async throws -> String {
        let binDir = URL(fileURLWithPath: CLI.binaryPath).deletingLastPathComponent().path
        let build = try await runTool(
            DebianPackage.source("scripts/build-deb"), ["--output", scratch.path("deb"), "--compression", "zstd", binDir],
            output: scratch.path("build-deb.out"), timeout: .seconds(120))
        let deb = CLIResult.lines(build.output).last ?? ""
        try #require(
            build.status == 0 && deb.hasSuffix(".deb") && FileManager.default.fileExists(atPath: deb),
            "scripts/build-deb \(binDir) failed (exit \(build.status)):\n\(build.output)")
        let version = try await runTool(CLI.binaryPath, ["--version"], output: scratch.path("version.out")).output
        let architecture = try await runTool("/usr/bin/dpkg", ["--print-architecture"], output: scratch.path("arch.out")).output
        let expectedName = "smspartner-notify_\(version.trimmingCharacters(in: .whitespacesAndNewlines))_\(architecture.trimmingCharacters(in: .whitespacesAndNewlines)).deb"
        #expect(URL(fileURLWithPath: deb).lastPathComponent == expectedName)
        return deb
    }

    /// Installs `deb` (twice: a reinstall changes nothing), checks what postinst made, sends as nagios.
    static func installAndSend(deb: String, fake: FakeSMSPartner, scratch: TemporaryDirectory) async throws {
        try await DebianPackage.expectDepends(of: deb, scratch: scratch)
        let keyFile = DebianPackage.etc + "/api-key"
        for round in ["install", "reinstall"] {
            let installed = try await runTool("/usr/bin/dpkg", ["-i", deb], output: scratch.path("dpkg-\(round).out"), timeout: .seconds(120))
            try #require(installed.status == 0, "dpkg -i (\(round)) failed (exit \(installed.status)):\n\(installed.output)")
            try await DebianPackage.expectLayout(after: round, scratch: scratch)
            #expect(!installed.output.contains(fake.apiKey), "dpkg -i (\(round)) printed the API key")
            if round == "install" {
                try await DebianPackage.expectSharedFiles(scratch: scratch)
                // The key, put there root-only between the two: the reinstall's postinst must
                // give it to the group, 0640, as it is.
                try #require(
                    FileManager.default.createFile(atPath: keyFile, contents: Data((fake.apiKey + "\n").utf8), attributes: [.posixPermissions: 0o600])
                        && chown(keyFile, 0, 0) == 0,
                    "could not write \(keyFile)")
            }
        }

        // postinst kept the existing key, 0640 root:smspartner-notify, as it was.
        let group = try #require(DebianPackage.groupID(), "no group \(DebianPackage.group) after the install")
        let key = try #require(DebianPackage.status(of: keyFile), "postinst removed \(keyFile)")
        #expect(key.uid == 0 && key.gid == group, "\(keyFile) is not root:\(DebianPackage.group) after the reinstall")
        #expect(key.mode == 0o640, "\(keyFile) has mode \(String(key.mode, radix: 8)), not 640, after the reinstall")
        #expect(
            FileManager.default.contents(atPath: keyFile) == Data((fake.apiKey + "\n").utf8), "postinst changed the content of \(keyFile)")

        // As nagios, in an environment that names nothing but the fake: no key, no state directory.
        let arguments = ["send", "--to", pager, "--message", "disk full on db-01 (package test)"]
        let run = try await runTool(
            DebianPackage.runuser, ["-u", "nagios", "--", DebianPackage.installedBinary] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "SMSPARTNER_API_URL": fake.baseURL],
            output: scratch.path("send.out"), directory: "/")
        let diagnostics = "runuser -u nagios -- \(DebianPackage.installedBinary) \(arguments.joined(separator: " ")) → exit \(run.status):\n\(run.output)\n\(DaemonLog.requests(of: fake))"
        #expect(run.status == 0, "\(diagnostics)")
        #expect(run.output.contains("sent: \(pager)"), "\(diagnostics)")
        #expect(!run.output.contains(fake.apiKey), "the key was printed: \(diagnostics)")
        let messages = fake.deliveredMessages
        try #require(messages.count == 1, "expected 1 SMS at the fake, got \(messages.count): \(diagnostics)")
        #expect(messages[0].numbers == [pager])
        #expect(messages[0].apiKey == fake.apiKey, "not the key of \(keyFile)")

        // The store is in the default state directory, the group's.
        let store = DebianPackage.state + "/state.db"
        let stored = try #require(DebianPackage.status(of: store), "no \(store) after the send: \(diagnostics)")
        #expect(stored.gid == group, "\(store) is not in the group \(DebianPackage.group)")
        #expect(stored.uid == DebianPackage.userID("nagios"), "\(store) was not created by nagios")
    }
}

/// The package's paths and the machine it needs.
enum DebianPackage {
    static let name = "smspartner-notify"
    static let group = "smspartner-notify"
    static let state = "/var/lib/smspartner-notify"
    static let etc = "/etc/smspartner-notify"
    static let installedBinary = "/usr/bin/smspartner-notify"
    static let runuser = "/usr/sbin/runuser"

    /// `SMSPARTNER_SKIP_PACKAGE=1`: skip the suite (no root, or a machine not to change).
    static let skipRequested = ProcessInfo.processInfo.environment["SMSPARTNER_SKIP_PACKAGE"] == "1"

    /// A file of the source tree.
    static func source(_ path: String) -> String {
        FixtureDirectory.sourceTree.url(path).path
    }

    /// Root, dpkg, runuser, the user nagios, the built binary, and nothing of smspartner-notify
    /// installed already (the purge at the end would remove it).
    static func requireMachine() throws {
        let skip = "or set SMSPARTNER_SKIP_PACKAGE=1 to skip this test"
        try #require(geteuid() == 0, "installing the package needs root (CI runs as root), \(skip)")
        for tool in ["/usr/bin/dpkg", "/usr/bin/dpkg-deb", "/usr/bin/dpkg-shlibdeps", "/usr/bin/strip", "/usr/bin/readelf", runuser] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) not found (apt-get install dpkg-dev binutils util-linux), \(skip)")
        }
        try #require(userID("nagios") != nil, "no user nagios: apt-get install nagios4-core (CI installs it), \(skip)")
        try #require(FileManager.default.isExecutableFile(atPath: CLI.binaryPath), "\(CLIError.binaryNotFound(CLI.binaryPath))")
        for path in [installedBinary, state, etc, "/var/lib/dpkg/info/\(name).list"] {
            try #require(
                !FileManager.default.fileExists(atPath: path),
                "\(path) exists: smspartner-notify is installed on this machine, and this test would replace and purge it; \(skip)")
        }
        try #require(groupID() == nil, "the group \(group) exists already: this test would delete it; \(skip)")
    }

    /// What postinst made (after an install or a reinstall).
    static func expectLayout(after round: String, scratch: TemporaryDirectory) async throws {
        let group = try #require(groupID(), "postinst (\(round)) made no group \(Self.group)")
        for (path, mode) in [(state, 0o2770), (etc, 0o750), (etc + "/config.yml", 0o640)] {
            let found = try #require(status(of: path), "\(path) missing after the \(round)")
            #expect(found.uid == 0 && found.gid == group, "\(path) is not root:\(Self.group) after the \(round)")
            #expect(found.mode == mode, "\(path) has mode \(String(found.mode, radix: 8)), not \(String(mode, radix: 8)), after the \(round)")
        }
        let binary = try #require(status(of: installedBinary), "\(installedBinary) missing after the \(round)")
        #expect(binary.uid == 0 && binary.mode == 0o755)

        let members = try await runTool("/usr/bin/id", ["-nG", "nagios"], output: scratch.path("id.out"))
        #expect(members.output.split(whereSeparator: \.isWhitespace).contains { $0 == Self.group }, "nagios is not in \(Self.group): \(members.output)")

        let conffiles = try await runTool("/usr/bin/dpkg-query", ["-W", "-f=${Conffiles}", name], output: scratch.path("conffiles.out"))
        #expect(conffiles.output.contains("\(etc)/config.yml "), "config.yml is not a conffile: \(conffiles.output)")
    }

    /// The files the package puts in /usr/share/smspartner-notify (Icinga 2, Nagios, systemd,
    /// cron, Prometheus): listed by `dpkg -L` and installed as they are in `contrib/`.
    static func expectSharedFiles(scratch: TemporaryDirectory) async throws {
        let listed = try await runTool("/usr/bin/dpkg", ["-L", name], output: scratch.path("dpkg-L.out"))
        #expect(listed.status == 0, "dpkg -L \(name) failed:\n\(listed.output)")
        let paths = Set(CLIResult.lines(listed.output))
        for file in [
            "icinga2/smspartner-notify-commands.conf", "icinga2/smspartner-notify-example.conf", "nagios/smspartner-notify.cfg",
            "systemd/smspartner-notify-flush.service", "systemd/smspartner-notify-flush.timer", "systemd/smspartner-notify.service",
            "cron/smspartner-notify", "cron/smspartner-notify-run", "systemd/smspartner-notify-check@.service",
            "systemd/smspartner-notify-check@.timer", "nagios/smspartner-check.cfg", "icinga2/smspartner-check.conf",
            "prometheus/smspartner-notify.rules.yml",
        ] {
            let installed = "/usr/share/smspartner-notify/" + file
            #expect(paths.contains(installed), "dpkg -L \(name) does not list \(installed):\n\(listed.output)")
            #expect(
                FileManager.default.contents(atPath: installed) == FileManager.default.contents(atPath: source("contrib/" + file)),
                "\(installed) is not contrib/\(file) as it is")
        }
    }

    /// `dpkg-deb -f deb Depends`: `adduser`, `tzdata` (quiet hours), and what dpkg-shlibdeps finds for the binary: libc6,
    /// libcurl4 and libsqlite3-0 always, libstdc++6 and libgcc-s1 when the binary links their libraries.
    static func expectDepends(of deb: String, scratch: TemporaryDirectory) async throws {
        let field = try await runTool("/usr/bin/dpkg-deb", ["-f", deb, "Depends"], output: scratch.path("depends.out"))
        #expect(field.status == 0, "dpkg-deb -f \(deb) Depends failed:\n\(field.output)")
        let packages = Set(field.output.split(separator: ",").compactMap {
            $0.split(whereSeparator: { $0.isWhitespace || $0 == "(" }).first.map(String.init)
        })
        let dynamic = try await runTool("/usr/bin/readelf", ["-d", CLI.binaryPath], output: scratch.path("readelf.out")).output
        var expected: Set = ["adduser", "libc6", "libcurl4", "libsqlite3-0", "tzdata"]
        if dynamic.contains("[libstdc++.so.6]") { expected.insert("libstdc++6") }
        if dynamic.contains("[libgcc_s.so.1]") { expected.insert("libgcc-s1") }
        #expect(expected.isSubset(of: packages), "Depends: \(field.output) lacks \(expected.subtracting(packages).sorted())")
    }

    /// `dpkg --purge`, then checks that it removed the state, the group and the files, and
    /// removes what the test itself left in /etc/smspartner-notify (the key file).
    static func purge(scratch: TemporaryDirectory) async throws {
        let purged = try await runTool("/usr/bin/dpkg", ["--purge", name], output: scratch.path("dpkg-purge.out"), timeout: .seconds(120))
        let leftKey = status(of: etc + "/api-key")
        try? FileManager.default.removeItem(atPath: etc)
        #expect(purged.status == 0, "dpkg --purge failed (exit \(purged.status)):\n\(purged.output)")
        for path in [installedBinary, state, "/usr/share/smspartner-notify"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) is still there after the purge")
        }
        #expect(groupID() == nil, "the group \(group) is still there after the purge")
        if let leftKey {
            #expect(leftKey.gid == 0, "the key file the purge left kept a deleted group's number")
        }
    }

    /// Owner, group and permission bits (setgid included) of `path`; nil if it does not exist.
    static func status(of path: String) -> (uid: uid_t, gid: gid_t, mode: Int)? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return (status.st_uid, status.st_gid, Int(status.st_mode & 0o7777))
    }

    /// The group's id, by the reentrant lookup; nil if there is no such group.
    static func groupID() -> gid_t? {
        var buffer = [CChar](repeating: 0, count: 16384)
        return buffer.withUnsafeMutableBufferPointer { storage -> gid_t? in
            var entry = Glibc.group()
            var found: UnsafeMutablePointer<Glibc.group>?
            guard let base = storage.baseAddress, getgrnam_r(group, &entry, base, storage.count, &found) == 0, found != nil else { return nil }
            return entry.gr_gid
        }
    }

    /// A user's id, by the reentrant lookup; nil if there is no such user.
    static func userID(_ name: String) -> uid_t? {
        var buffer = [CChar](repeating: 0, count: 16384)
        return buffer.withUnsafeMutableBufferPointer { storage -> uid_t? in
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>?
            guard let base = storage.baseAddress, getpwnam_r(name, &entry, base, storage.count, &found) == 0, found != nil else { return nil }
            return entry.pw_uid
        }
    }
}
