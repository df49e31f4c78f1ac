import NotifyStatePostgres
import Testing

@Suite struct PostgresLocationTests {
    @Test func aFullURLIsReadAndShownWithoutItsPassword() throws {
        let location = try PostgresLocation(url: "postgresql://notify:s%40cret@db1.example:6432/pager?sslmode=require")
        #expect(location.host == "db1.example")
        #expect(location.port == 6432)
        #expect(location.user == "notify")
        #expect(location.password == "s@cret")
        #expect(location.database == "pager")
        #expect(location.tls == .require)
        #expect(location.description == "postgres://notify@db1.example:6432/pager")
        #expect(!location.description.contains("cret"))
    }

    @Test func thePortDefaultsTo5432AndTLSIsPreferred() throws {
        let location = try PostgresLocation(url: "postgres://notify@db1/notify")
        #expect(location.port == 5432)
        #expect(location.tls == .prefer)
        #expect(location.password == nil)
    }

    @Test func anIPv6HostIsBracketed() throws {
        let location = try PostgresLocation(url: "postgres://notify@[::1]:5433/notify?sslmode=disable")
        #expect(location.host == "::1")
        #expect(location.port == 5433)
        #expect(location.tls == .disable)
        #expect(location.description == "postgres://notify@[::1]:5433/notify")
    }

    @Test(arguments: [
        "http://notify@db1/notify", "postgres://db1/notify", "postgres://notify@db1", "postgres://notify@db1/",
        "postgres://notify@:5432/notify", "postgres://notify@db1:0/notify", "postgres://notify@db1:99999/notify",
        "postgres://notify@db1:x/notify", "postgres://notify@db1/notify?sslmode=maybe", "postgres://notify@db1/notify?host=evil",
        "postgres://notify@[::1/notify", "db1:5432", "",
    ])
    func aURLThatCannotBeUsedIsRefusedWithItsReason(_ url: String) {
        let error = #expect(throws: PostgresLocation.InvalidURL.self) { try PostgresLocation(url: url) }
        #expect(error?.description.hasPrefix("state.url: ") == true)
    }
}
