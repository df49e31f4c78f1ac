import Foundation
import NotifyCore
import TestSupport
import Testing

@testable import NotifyServer

@Suite struct CredentialsTests {
    static let basic = Credentials(basic: ("alertmanager", "p4ss:word"))
    static let bearer = Credentials(bearer: "tok3n")

    static func basicHeader(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func noneConfiguredLetsEveryoneIn() {
        #expect(Credentials.none.accepts(nil))
        #expect(!Credentials.none.isRequired)
    }

    @Test func basicCredentials() {
        #expect(Self.basic.accepts(Self.basicHeader("alertmanager", "p4ss:word")))
        #expect(Self.basic.accepts("basic " + Data("alertmanager:p4ss:word".utf8).base64EncodedString()), "the scheme is case-insensitive")
        for wrong in [nil, "", "Basic", Self.basicHeader("alertmanager", "p4ss"), Self.basicHeader("admin", "p4ss:word"),
                      "Basic not-base64!", "Bearer p4ss:word"] {
            #expect(!Self.basic.accepts(wrong), "\(String(describing: wrong))")
        }
        #expect(Self.basic.challenge.hasPrefix("Basic realm="))
    }

    @Test func bearerToken() {
        #expect(Self.bearer.accepts("Bearer tok3n"))
        #expect(Self.bearer.accepts("Bearer  tok3n "))
        for wrong in [nil, "Bearer tok3", "Bearer tok3nn", "Bearer", "Basic tok3n", Self.basicHeader("x", "tok3n")] {
            #expect(!Self.bearer.accepts(wrong), "\(String(describing: wrong))")
        }
    }

    @Test func bothAreAccepted() {
        let both = Credentials(basic: ("u", "p"), bearer: "t")
        #expect(both.accepts("Bearer t"))
        #expect(both.accepts(Self.basicHeader("u", "p")))
    }

    @Test func constantTimeComparison() {
        #expect(SecretFile.constantTimeEqual("abc", "abc"))
        #expect(!SecretFile.constantTimeEqual("abc", "abd"))
        #expect(!SecretFile.constantTimeEqual("abc", "abcd"))
        #expect(!SecretFile.constantTimeEqual("", "a"))
        #expect(SecretFile.constantTimeEqual("", ""))
    }

    @Test func secretsComeFromFilesTrimmed() throws {
        let dir = try TemporaryDirectory(prefix: "creds")
        defer { dir.remove() }
        let password = try dir.write("password", "  secret\n")
        let empty = try dir.write("empty", "\n")
        let loaded = try Credentials.load(ServeSettings(basicUsername: "am", basicPasswordFile: password))
        #expect(loaded.accepts(Self.basicHeader("am", "secret")))
        #expect(throws: ConfigurationError.self) { try Credentials.load(ServeSettings(bearerTokenFile: empty)) }
        #expect(throws: ConfigurationError.self) { try Credentials.load(ServeSettings(bearerTokenFile: dir.path("missing"))) }
    }
}
