import Foundation
import NotifyState
@testable import NotifyStatePostgres
import Testing
import TestSupport

/// TLS to PostgreSQL as the README promises it: the server's certificate and host name are
/// always verified (against `ca_file` when given, else the system's authorities), whatever the
/// `sslmode`; a certificate nobody vouches for, or made for another host, is a configuration
/// error (`cannotOpen`, exit 78), never used unverified. A cluster of its own with `ssl = on`
/// and certificates made for the test with `openssl`.
@Suite(.disabled(if: PostgresCluster.skipRequested, "SMSPARTNER_SKIP_POSTGRES=1"))
struct PostgresTLSTests {
    /// A certificate authority and server certificates it signs, made with `openssl` in a
    /// temporary directory (P-256 keys: quick to make).
    struct Authority {
        let directory: TemporaryDirectory
        /// The authority's certificate (PEM file): what `ca_file` names.
        var certificatePath: String { directory.path("ca.crt") }

        init() throws {
            directory = try TemporaryDirectory(prefix: "smspartner-tls")
            try Self.openssl([
                "req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-keyout", directory.path("ca.key"), "-out", directory.path("ca.crt"), "-days", "2",
                "-subj", "/CN=smspartner-notify test authority",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ])
        }

        /// A server certificate for `names` (`DNS:localhost`, `IP:127.0.0.1`…) signed by this
        /// authority, or by itself when `selfSigned`: its certificate and key (PEM).
        func server(_ name: String, for names: [String], selfSigned: Bool = false) throws -> (certificate: String, key: String) {
            let key = directory.path("\(name).key")
            let certificate = directory.path("\(name).crt")
            let extensions = try directory.write("\(name).ext", """
                subjectAltName = \(names.joined(separator: ","))
                extendedKeyUsage = serverAuth
                keyUsage = critical, digitalSignature
                """)
            if selfSigned {
                try Self.openssl([
                    "req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=\(name)", "-extensions", "v3",
                    "-config", try directory.write("\(name).cnf", "[req]\ndistinguished_name = dn\n[dn]\n[v3]\n"
                        + (try String(contentsOfFile: extensions, encoding: .utf8))),
                ])
            } else {
                let request = directory.path("\(name).csr")
                try Self.openssl([
                    "req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-keyout", key, "-out", request, "-subj", "/CN=\(name)",
                ])
                try Self.openssl([
                    "x509", "-req", "-in", request, "-CA", certificatePath, "-CAkey", directory.path("ca.key"),
                    "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", extensions,
                ])
            }
            return (try String(contentsOfFile: certificate, encoding: .utf8), try String(contentsOfFile: key, encoding: .utf8))
        }

        static func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw PostgresCluster.Failure.commandFailed("openssl " + arguments.joined(separator: " "), status: "\(process.terminationStatus)",
                                                            output: text)
            }
        }
    }

    /// A store on `database` of `cluster` (its own by default) reached as `host` with
    /// `sslmode`, trusting `trustRoots` (nil: the system's authorities); what a write through
    /// it comes to.
    static func write(_ cluster: PostgresCluster, database: String? = nil, host: String, sslmode: String,
                      trustRoots: String?) throws -> Result<String?, StateError> {
        let store = PostgresStateStore(
            try PostgresLocation(url: "postgres://\(cluster.user)@\(host):\(cluster.port)/\(database ?? cluster.database)?sslmode=\(sslmode)"),
            password: cluster.password, busyTimeout: .seconds(2), trustRoots: trustRoots)
        return Result { () throws(StateError) in
            try store.write { (tx) throws(StateError) in
                try tx.setValue(host + " " + sslmode, for: "tls")
                // Whether the server has this session over TLS.
                guard let session = tx as? PostgresTransaction else { return nil }
                let row = try session.row("SELECT ssl::text AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                let ssl = try session.decode(row) { try $0("ssl", as: String.self) } ?? "?"
                return try tx.value("tls").map { "\($0) ssl=\(ssl)" }
            }
        }
    }

    /// Whether `outcome` is the configuration error of an unverified certificate.
    static func isRefusedCertificate(_ outcome: Result<String?, StateError>) -> Bool {
        guard case .failure(.cannotOpen(_, let reason)) = outcome else { return false }
        return reason.contains("TLS failed")
    }

    @Test func theCertificateAndHostNameAreVerifiedAgainstCAFileWhateverTheSSLMode() async throws {
        try await OwnThread.run {
            let cluster = try PostgresCluster()
            defer { cluster.shutdown() }
            let authority = try Authority()
            defer { authority.directory.remove() }
            let server = try authority.server("db", for: ["DNS:localhost", "IP:127.0.0.1"])
            try cluster.enableTLS(certificate: server.certificate, key: server.key)

            // Trusted through ca_file: used, over TLS (the server says so of the session).
            for sslmode in ["require", "prefer"] {
                let outcome = try Self.write(cluster, host: "127.0.0.1", sslmode: sslmode, trustRoots: authority.certificatePath)
                #expect((try? outcome.get()) == "127.0.0.1 \(sslmode) ssl=true", "\(outcome)")
            }
            let outcome = try Self.write(cluster, host: "localhost", sslmode: "require", trustRoots: authority.certificatePath)
            #expect((try? outcome.get()) == "localhost require ssl=true", "by its DNS name too: \(outcome)")

            // Not vouched for by the system's authorities: refused, with require and with prefer
            // (prefer falls back to plain text only when the server offers no TLS at all).
            for sslmode in ["require", "prefer"] {
                let outcome = try Self.write(cluster, host: "127.0.0.1", sslmode: sslmode, trustRoots: nil)
                #expect(Self.isRefusedCertificate(outcome), "\(sslmode) without ca_file: \(outcome)")
            }
            // A certificate signed by no authority (self-signed): refused even with a ca_file.
            let stranger = try authority.server("stranger", for: ["DNS:localhost", "IP:127.0.0.1"], selfSigned: true)
            try cluster.enableTLS(certificate: stranger.certificate, key: stranger.key)
            let unsigned = try Self.write(cluster, host: "127.0.0.1", sslmode: "require", trustRoots: authority.certificatePath)
            #expect(Self.isRefusedCertificate(unsigned), "self-signed: \(unsigned)")

            // Signed by the authority but for another host: refused for the host name.
            let elsewhere = try authority.server("elsewhere", for: ["DNS:db.elsewhere.example"])
            try cluster.enableTLS(certificate: elsewhere.certificate, key: elsewhere.key)
            for host in ["127.0.0.1", "localhost"] {
                let outcome = try Self.write(cluster, host: host, sslmode: "require", trustRoots: authority.certificatePath)
                #expect(Self.isRefusedCertificate(outcome), "a certificate for db.elsewhere.example, reached as \(host): \(outcome)")
            }
            // sslmode=disable: plain text, no certificate looked at.
            let plain = try Self.write(cluster, host: "127.0.0.1", sslmode: "disable", trustRoots: nil)
            #expect((try? plain.get()) == "127.0.0.1 disable ssl=false", "\(plain)")
        }
    }

    @Test func requireAgainstAServerWithoutTLSCannotOpenAndPreferFallsBackToPlainText() async throws {
        try await OwnThread.run {
            let cluster = try PostgresCluster.shared()
            let (name, _) = try cluster.createUniqueDatabase()
            let required = try Self.write(cluster, database: name, host: "127.0.0.1", sslmode: "require", trustRoots: nil)
            guard case .failure(.cannotOpen(_, let reason)) = required else {
                Issue.record("require without TLS on the server: cannotOpen, not \(required)")
                return
            }
            #expect(reason.contains("does not offer TLS"), "\(reason)")
            let preferred = try Self.write(cluster, database: name, host: "127.0.0.1", sslmode: "prefer", trustRoots: nil)
            #expect((try? preferred.get()) == "127.0.0.1 prefer ssl=false", "\(preferred)")
        }
    }
}
