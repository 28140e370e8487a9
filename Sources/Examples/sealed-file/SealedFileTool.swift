// swift-kmip: `sealed-file`, the sealed-clip format on its own: inspect a file's header, seal a
// stream with a local key (for measurements), and measure sealing and opening speed.

import ArgumentParser
import Crypto
import Foundation
import SealedFile

@main
struct SealedFileTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sealed-file",
        abstract: "Inspect sealed clips (docs/SealedFileFormat.md) and measure the format's speed.",
        subcommands: [Inspect.self, Seal.self, Bench.self])
}

extension SealedFileTool {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a sealed file's header: the KMIP server, the key's identifier, the chunking and the capture metadata.")

        @Argument(help: "Sealed files.")
        var files: [String]

        func run() throws {
            for path in files {
                guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot read \(path)") }
                defer { try? handle.close() }
                var source = FileHandleSource(handle)
                let (header, bytes) = try SealedFileReader.readHeader(from: &source)
                print("\(path):")
                print("  key manager:  \(header.serverIdentity)")
                print("  key:          \(header.keyIdentifier)")
                print("  algorithm:    \(header.algorithm == SealedFileHeader.algorithmAES256GCMHKDFSHA256 ? "AES-256-GCM chunks, HKDF-SHA256 subkey" : "unknown (\(header.algorithm))")")
                print("  chunk size:   \(header.chunkSize) bytes; header \(bytes.count) bytes")
                for (name, value) in header.metadata.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
            }
        }
    }

    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal standard input with a key read from a file (measurements and tests; cameras get their keys over KMIP).",
            discussion: "With --report, prints the bytes sealed, the time and the process's peak memory to stderr.")

        @Option(help: "A file holding the key as 32 or 64 hex digits (AES-128 or AES-256).")
        var keyFile: String

        @Option(name: .shortAndLong, help: "The sealed output (default: standard output).")
        var output: String?

        @Flag(help: "Print bytes, seconds, MB/s and peak resident memory to stderr.")
        var report = false

        func run() throws {
            let text = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count == 32 || text.count == 64, let key = hexBytes(text) else {
                throw ValidationError("\(keyFile) must hold 32 or 64 hex digits")
            }
            let out: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600]),
                    let handle = FileHandle(forWritingAtPath: output)
                else { throw ValidationError("cannot create \(output)") }
                out = handle
            } else {
                out = FileHandle.standardOutput
            }
            let header = SealedFileHeader(serverIdentity: "local key file", keyIdentifier: (keyFile as NSString).lastPathComponent, metadata: [:])
            let started = ContinuousClock.now
            let writer = try SealedFileWriter(header: header, key: key) { try out.write(contentsOf: $0) }
            var input = FileHandleSource(FileHandle.standardInput)
            var total = 0
            while true {
                let piece = try input.read(upTo: 1 << 20)
                if piece.isEmpty { break }
                total += piece.count
                try writer.write(piece)
            }
            try writer.finish()
            try out.synchronize()
            let seconds = (ContinuousClock.now - started).seconds
            if report {
                FileHandle.standardError.write(Data(String(
                    format: "sealed %d bytes in %.3f s (%.0f MB/s); peak resident memory %.1f MB\n",
                    total, seconds, Double(total) / seconds / 1e6, Double(peakResidentBytes()) / 1e6).utf8))
            }
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal and open one in-memory buffer, beside one-shot AES-256-GCM over the same buffer (the baseline).")

        @Option(help: "Buffer size in MB.")
        var megabytes = 100

        @Option(help: "Rounds per measurement (the best is reported).")
        var rounds = 3

        func run() throws {
            let size = megabytes * 1_000_000
            var buffer = [UInt8](repeating: 0, count: size)
            var generator = SystemRandomNumberGenerator()
            for index in stride(from: 0, to: size, by: 8) {
                let value = generator.next() as UInt64
                for byte in 0..<min(8, size - index) { buffer[index + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
            }
            let key = SymmetricKey(size: .bits256)
            let keyBytes = key.withUnsafeBytes { Array($0) }
            let header = SealedFileHeader(serverIdentity: "bench", keyIdentifier: "bench-key", metadata: ["captured": "2026-12-04T00:00:00Z"])

            func best(_ body: () throws -> Void) rethrows -> Double {
                var fastest = Double.infinity
                for _ in 0..<rounds {
                    let started = ContinuousClock.now
                    try body()
                    fastest = min(fastest, (ContinuousClock.now - started).seconds)
                }
                return fastest
            }

            var oneShot: AES.GCM.SealedBox?
            let baselineSeal = try best { oneShot = try AES.GCM.seal(buffer, using: key) }
            let baselineOpen = try best { _ = try AES.GCM.open(oneShot!, using: key) }
            var sealed: [UInt8] = []
            sealed.reserveCapacity(size + size / 4000 + 4096)
            let sealSeconds = try best {
                sealed.removeAll(keepingCapacity: true)
                let writer = try SealedFileWriter(header: header, key: keyBytes) { sealed.append(contentsOf: $0) }
                try writer.write(buffer)
                try writer.finish()
            }
            var opened = 0
            let openSeconds = try best {
                opened = 0
                var source = BytesSource(sealed)
                try SealedFileReader.open(&source, key: keyBytes) { opened += $0.count }
            }
            guard opened == size else { throw ValidationError("opened \(opened) bytes of \(size)") }
            func rate(_ seconds: Double) -> String { String(format: "%7.0f MB/s", Double(size) / seconds / 1e6) }
            print("buffer \(megabytes) MB, best of \(rounds)")
            print("one-shot AES-256-GCM seal   \(rate(baselineSeal))")
            print("one-shot AES-256-GCM open   \(rate(baselineOpen))")
            print("sealed-file seal            \(rate(sealSeconds))  (\(String(format: "%.2f", baselineSeal / sealSeconds))x one-shot)")
            print("sealed-file open            \(rate(openSeconds))  (\(String(format: "%.2f", baselineOpen / openSeconds))x one-shot)")
        }
    }
}

func hexBytes(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    var iterator = text.utf8.makeIterator()
    while let high = iterator.next() {
        guard let low = iterator.next(), let h = hexValue(high), let l = hexValue(low) else { return nil }
        bytes.append(h << 4 | l)
    }
    return bytes
}

func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// The process's peak resident set size in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
