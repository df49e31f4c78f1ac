import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How the binary under test is linked (Package.swift, `compactLayout`): what keeps the memory a
/// process maps of it small (`scripts/bench-serve` measures it). A linker setting lost in a change
/// shows up here, not only as a few megabytes more in a benchmark. `swift test` checks the debug
/// build, which goes through the same link; `SMSPARTNER_NOTIFY_BIN=<release binary>` checks that.
@Suite("the binary's link layout")
struct LinkTests {
    @Test("linked by lld (the symbol order and the text layout are lld options)")
    func linkedByLLD() throws {
        let comment = try Self.readelf(["--string-dump=.comment"])
        #expect(comment.contains("Linker: LLD"), "not linked by lld:\n\(comment)")
    }

    @Test("exports no symbols of its own: the shared libraries' lookups never map its symbol table")
    func noExportedSymbols() throws {
        let symbols = try Self.readelf(["--dyn-syms", "--wide"])
        // Defined entries (a section index, not UND); lld keeps only its own _end/_edata/__bss_start.
        let defined = symbols.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "  12: 0000… 0 NOTYPE GLOBAL DEFAULT 46 _edata"; not the "Num: Value …" header.
            guard fields.count >= 8, fields[0].hasSuffix(":"), Int(fields[0].dropLast()) != nil else { return false }
            return fields[6] != "UND"
        }
        #expect(defined.count <= 4, "\(defined.count) exported symbols, e.g. \(defined.prefix(5).joined(separator: "\n"))")
    }

    @Test("relative relocations packed as DT_RELR where the C library loads them (glibc 2.36)")
    func packedRelocations() throws {
        let dynamic = try Self.readelf(["--dynamic", "--wide"])
        if Self.glibcLoadsRELR {
            #expect(dynamic.contains("(RELR)"), "no DT_RELR:\n\(dynamic)")
            #expect(!dynamic.contains("(RELACOUNT)"), "relative relocations left in RELA:\n\(dynamic)")
        } else {
            #expect(!dynamic.contains("(RELR)"), "DT_RELR that this C library cannot load:\n\(dynamic)")
        }
    }

    /// Whether this machine's glibc is 2.36 or later (the same test as Package.swift's).
    static var glibcLoadsRELR: Bool {
        #if canImport(Glibc)
        var name = [CChar](repeating: 0, count: 64)
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &name, name.count) > 0 else { return false }
        let version = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .dropFirst("glibc ".count).split(separator: ".").compactMap { Int($0) }
        return version.count >= 2 && (version[0], version[1]) >= (2, 36)
        #else
        return false
        #endif
    }

    /// `readelf ARGS <binary>`'s standard output (binutils, beside the toolchain's linker).
    static func readelf(_ arguments: [String]) throws -> String {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.binaryPath), "\(CLIError.binaryNotFound(CLI.binaryPath))")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["readelf"] + arguments + [CLI.binaryPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "readelf \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }
}
