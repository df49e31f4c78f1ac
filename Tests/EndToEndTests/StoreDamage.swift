import Foundation
import GRDB
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Overwrites the pages of some tables of a live SQLite database in place, as a damaged disk
/// would, and puts them back. The write-ahead log is checkpointed first (so the pages are in
/// the file), and a change of the header alone is committed after each step, so that every
/// connection of the other process drops its cached pages and reads the file again.
struct StoreDamage {
    let path: String
    let queue: DatabaseQueue
    let originals: [(offset: UInt64, bytes: Data)]

    init(database path: String, tables: [String]) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var checkpointed = false
        for _ in 0..<50 where !checkpointed {
            let busy = try queue.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            checkpointed = busy == 0
            if !checkpointed { usleep(100_000) }
        }
        try #require(checkpointed, "the write-ahead log could not be checkpointed")
        let (pageSize, roots) = try queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096,
             try Int.fetchAll(db, sql: "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name IN (\(tables.map { "'\($0)'" }.joined(separator: ",")))"))
        }
        try #require(roots.count == tables.count)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var originals: [(UInt64, Data)] = []
        for root in roots {
            let offset = UInt64((root - 1) * pageSize)
            try handle.seek(toOffset: offset)
            originals.append((offset, try handle.read(upToCount: pageSize) ?? Data()))
            try handle.seek(toOffset: offset)
            // Page type 0: no b-tree page begins so.
            try handle.write(contentsOf: Data((0..<pageSize).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        }
        try handle.synchronize()
        self.originals = originals
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 7") }
    }

    func repair() throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        for (offset, bytes) in originals {
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: bytes)
        }
        try handle.synchronize()
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 0") }
    }
}

/// Another process's exclusive transaction on a live database, held on a thread of its own
/// (GRDB wants a transaction closed within one access) until ``release()``.
struct StoreLock {
    private let released: DispatchSemaphore

    init(database path: String) throws {
        let holder = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            try? holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                locked.signal()
                release.wait()
                try db.execute(sql: "ROLLBACK")
            }
        }.start()
        released = release
        try #require(locked.wait(timeout: .now() + 10) == .success, "the exclusive transaction was not taken")
    }

    func release() { released.signal() }
}
