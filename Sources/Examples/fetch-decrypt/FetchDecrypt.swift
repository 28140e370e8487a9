// swift-kmip: `fetch-decrypt`, the viewer side of the original system.
//
// list the sealed clips with their keys' states, get (download, get the key over KMIP, open,
// verify), and shred (retire the keys of old clips so that they are unreadable everywhere, then
// delete them).

import ArgumentParser
import ClipSupport
import ClipTools
import Foundation
import KMIP
import SealedFile

@main
struct FetchDecrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-decrypt",
        abstract: "Fetch sealed clips, get their keys from a KMIP server, and open them.",
        discussion: """
            Exit status: 0 success; 1 a failure (a clip that does not open, a refused key, a store \
            error); 64 usage.
            """,
        subcommands: [List.self, Get.self, Shred.self, Serve.self, Users.self])
}

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @OptionGroup(title: "Key manager")
    var kmip: KMIPArguments

    @OptionGroup(title: "Clip store")
    var store: StoreArguments

    @Option(help: "Where downloaded sealed clips are kept (ciphertext only).")
    var cache = "./viewer-cache"

    func makeCache() throws -> SealedClipCache {
        try SealedClipCache(directory: cache, store: store.makeStore())
    }
}

extension FetchDecrypt {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clips with their capture time, size, key and the key's state on the KMIP server.")

        @OptionGroup var options: CommonOptions

        @Flag(help: "Print JSON lines instead of a table.")
        var json = false

        func run() async throws {
            let cache = try options.makeCache()
            let (entries, unreadable) = try await cache.entries()
            let client = try options.kmip.makeClient(logLabel: "fetch-decrypt")
            var states: [String: String] = [:]
            for id in Set(entries.map(\.header.keyIdentifier)) { states[id] = await ClipKeys.stateText(client, .text(id)) }
            await client.shutdown()
            var rows = [["clip", "captured", "size", "key", "key state"]]
            for entry in entries {
                let state = states[entry.header.keyIdentifier] ?? "?"
                if json {
                    let object: [String: Any] = [
                        "name": entry.clip.name, "captured": entry.header.metadata["captured"] ?? "", "size": entry.clip.size,
                        "key": entry.header.keyIdentifier, "keyState": state, "metadata": entry.header.metadata,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    rows.append([entry.clip.name, entry.header.metadata["captured"] ?? "-", ClipLog.bytes(entry.clip.size), entry.header.keyIdentifier, state])
                }
            }
            if !json { printTable(rows) }
            for (name, reason) in unreadable { ClipLog.line("\(name): header unreadable: \(reason)") }
            if !unreadable.isEmpty { throw ExitCode(1) }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download clips, get their keys over KMIP, open and verify them into a directory.",
            discussion: "Each clip is written to a temporary file in the output directory and renamed only when its last chunk has been verified.")

        @OptionGroup var options: CommonOptions

        @Argument(help: "Clip names, as `list` shows them.")
        var names: [String]

        @Option(name: .shortAndLong, help: "The output directory.")
        var output = "."

        @Flag(help: "Replace output files that exist.")
        var force = false

        func run() async throws {
            let cache = try options.makeCache()
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let client = try options.kmip.makeClient(logLabel: "fetch-decrypt")
            var keys: [String: [UInt8]] = [:]
            var failed = 0
            for name in names {
                do {
                    let local = try await cache.fetch(named: name)
                    let header = try SealedClipCache.header(of: local)
                    let target = output + "/" + Self.outputName(name, header: header)
                    if FileManager.default.fileExists(atPath: target) && !force {
                        throw ClipStoreError("\(target) exists (use --force to replace it)")
                    }
                    let temporary = output + "/.\((target as NSString).lastPathComponent).partial"
                    guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
                        let handle = FileHandle(forWritingAtPath: temporary)
                    else { throw ClipStoreError("cannot create \(temporary)") }
                    do {
                        let opened = try await ClipSealing.open(local, key: { header in
                            if let key = keys[header.keyIdentifier] { return key }
                            let key = try await ClipKeys.material(client, .text(header.keyIdentifier))
                            keys[header.keyIdentifier] = key
                            return key
                        }, output: { try handle.write(contentsOf: $0) })
                        try handle.synchronize()
                        try handle.close()
                        guard rename(temporary, target) == 0 else { throw ClipStoreError("cannot rename \(temporary): \(String(cString: strerror(errno)))") }
                        ClipLog.line("\(name): key \(header.keyIdentifier), \(ClipLog.bytes(opened.size)) verified -> \(target) (SHA-256 \(opened.sha256.prefix(8).map { String(format: "%02x", $0) }.joined()))")
                    } catch {
                        try? handle.close()
                        try? FileManager.default.removeItem(atPath: temporary)
                        throw error
                    }
                } catch let error as KMIPOperationError where error.resultReason == .objectDestroyed {
                    failed += 1
                    ClipLog.line("\(name): cannot open: its key was destroyed (the clip is shredded)")
                } catch {
                    failed += 1
                    ClipLog.line("\(name): cannot open: \(error)")
                }
            }
            await client.shutdown()
            if failed > 0 { throw ExitCode(1) }
        }

        /// `NAME.sealed` becomes `NAME.mp4` (the extension from the content type or source name).
        static func outputName(_ name: String, header: SealedFileHeader) -> String {
            let base = name.hasSuffix(".sealed") ? String(name.dropLast(".sealed".count)) : name
            if let source = header.metadata["source-name"], !(source as NSString).pathExtension.isEmpty {
                return base + "." + (source as NSString).pathExtension
            }
            switch header.metadata["content-type"] {
            case "video/mp4"?: return base + ".mp4"
            case "video/webm"?: return base + ".webm"
            case "image/jpeg"?: return base + ".jpg"
            case "image/png"?: return base + ".png"
            default: return base + ".bin"
            }
        }
    }

    struct Shred: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke and destroy the keys of clips captured before a date, then delete the clips.",
            discussion: """
                A key is shredded only when every clip it sealed was captured before DATE; a key that \
                also sealed later clips is kept and said so. Once a key is destroyed on the KMIP \
                server, every copy of its clips is unreadable anywhere; the remote files are then \
                deleted. Needs an identity the key manager lets Revoke and Destroy the keys.
                """)

        @OptionGroup var options: CommonOptions

        @Option(help: "Shred clips captured before this time (2026-12-01 or 2026-12-01T12:00:00Z, UTC).")
        var before: String

        @Flag(help: "Say what would be shredded, change nothing.")
        var dryRun = false

        func validate() throws {
            guard Self.parseDate(before) != nil else { throw ValidationError("--before must be a date such as 2026-12-01 or 2026-12-01T12:00:00Z, not '\(before)'") }
        }

        static func parseDate(_ text: String) -> Date? {
            if let date = try? Date(text, strategy: .iso8601) { return date }
            return try? Date(text + "T00:00:00Z", strategy: .iso8601)
        }

        func run() async throws {
            let cutoff = Self.parseDate(before)!
            let cache = try options.makeCache()
            let (entries, unreadable) = try await cache.entries()
            for (name, reason) in unreadable { ClipLog.line("\(name): skipped, header unreadable: \(reason)") }
            let byKey = Dictionary(grouping: entries, by: \.header.keyIdentifier)
            var toShred: [(key: String, clips: [SealedClipCache.Entry])] = []
            for (key, clips) in byKey.sorted(by: { $0.key < $1.key }) {
                let old = clips.filter { ($0.captured ?? .distantFuture) < cutoff }
                if old.isEmpty { continue }
                if old.count < clips.count {
                    ClipLog.line("key \(key): kept, it also sealed \(clips.count - old.count) clips captured on or after \(before) (\(old.count) older clips stay)")
                    continue
                }
                toShred.append((key, clips.sorted { $0.clip.name < $1.clip.name }))
            }
            if toShred.isEmpty { ClipLog.line("nothing to shred before \(before)"); return }
            if dryRun {
                for (key, clips) in toShred { ClipLog.line("would shred key \(key) and delete \(clips.count) clips: \(clips.map(\.clip.name).joined(separator: ", "))") }
                return
            }
            let client = try options.kmip.makeClient(logLabel: "fetch-decrypt")
            var failed = 0
            for (key, clips) in toShred {
                do {
                    let id = UniqueIdentifier.text(key)
                    let state = try await client.getAttributes(id, [.state]).state
                    if state == .active {
                        try await client.revoke(id, reason: .cessationOfOperation, message: "clips before \(before) shredded")
                    }
                    if state != .destroyed && state != .destroyedCompromised {
                        try await client.destroy(id)
                    }
                    let after = await ClipKeys.stateText(client, id)
                    ClipLog.line("key \(key): revoked and destroyed (state \(after)); its \(clips.count) clips are unreadable everywhere")
                } catch {
                    failed += 1
                    ClipLog.line("key \(key): cannot shred: \(error); its clips are kept")
                    continue
                }
                for entry in clips {
                    do {
                        try await cache.store.delete(entry.clip.name)
                        cache.evict(entry.clip.name)
                        ClipLog.line("deleted \(entry.clip.name)")
                    } catch {
                        failed += 1
                        ClipLog.line("cannot delete \(entry.clip.name) (unreadable already, its key is destroyed): \(error)")
                    }
                }
            }
            await client.shutdown()
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    let widths = (0..<first.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
    for (number, row) in rows.enumerated() {
        let line = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        print(line.replacingOccurrences(of: " +$", with: "", options: .regularExpression))
        if number == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
    }
}
