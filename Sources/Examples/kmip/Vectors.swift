// swift-kmip: the `kmip` command line tool.

import ArgumentParser
import Foundation
import KMIP
import KMIPVectorCheck
import KMIPXML

/// `kmip vectors`: work with KMIP test-case vector files.
struct Vectors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check KMIP test-case vector files.",
        subcommands: [Check.self]
    )

    /// `kmip vectors check`: replay vector files through the codecs.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check test-case XML files: every message round-trips through XML, TTLV and JSON.",
            discussion: """
                PATH is a file or a directory searched recursively; only *.xml files count. \
                Prints one line per file on stdout (PASS, FAIL with the first difference, SKIP, \
                XFAIL for a listed known failure that fails, XPASS for a listed one that passes) \
                and ends with `N passed, M failed, K skipped` (XFAIL counts as skipped, XPASS as \
                failed). Known failures come from --known-failures, or from known-failures.txt of \
                the Vectors folder that holds the files. Exit status: 0 when nothing failed, 1 when \
                something did, 2 for usage or I/O errors.

                With --server (or --https URL --encoding ttlv|xml|json), each file's requests go in order to that server (one connection \
                setting as for the other subcommands: --ca, --cert, --key, ...) and each response is \
                compared with the expected one: placeholders such as $UNIQUE_IDENTIFIER_0 take the \
                server's values and are substituted into later requests, $NOW±n must fall within the \
                exchange's time, and fields random by nature (key material, digests, IVs, signatures, \
                MACs, ciphertexts, random data) are compared by type and length. Files run in path \
                order against the one server, as the OASIS test cases assume. Known failures are the \
                list's lines whose CHECK is --peer.
                """
        )

        @Flag(help: "Check the codecs only (the default without a server).")
        var codecOnly = false

        @Flag(help: "Also check the typed models (tree -> typed message -> tree).")
        var typed = false

        @OptionGroup(title: "Server level (replay the requests against a live server)")
        var connection: ConnectionOptions

        @Option(help: "Which known failures apply to the server level: server (the reference server) or pykmip.")
        var peer = "server"

        @Option(help: "The known-failures list (PATH<TAB>CHECK<TAB>REASON lines).")
        var knownFailures: String?

        @Argument(help: "Vector files or directories.")
        var paths: [String]

        func validate() throws {
            if typed && codecOnly { throw ValidationError("--typed and --codec-only exclude each other") }
            if (connection.server != nil || connection.https != nil) && (typed || codecOnly) {
                throw ValidationError("--server replays against a server; --typed and --codec-only check files without one")
            }
        }

        func run() async throws {
            do {
                if connection.server != nil || connection.https != nil {
                    try await replay()
                } else {
                    try check()
                }
            } catch let error as ToolError {
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                throw ExitCode(2)
            } catch let error as CocoaError {
                FileHandle.standardError.write(Data("Error: \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
        }

        private func check() throws {
            let files = try paths.flatMap(Self.xmlFiles(at:))
            guard !files.isEmpty else { throw ToolError("no *.xml files under \(paths.joined(separator: " "))") }
            let explicitList = try knownFailures.map { try KnownFailures(contentsOf: URL(fileURLWithPath: $0)) }
            var listsByFolder: [String: KnownFailures] = [:]
            let check = CodecCheck()
            let typedCheck = typed ? TypedCheck() : nil
            let checks = typed ? ["codec", "typed"] : ["codec"]
            var tally = Tally()
            for (index, file) in files.enumerated() {
                FileHandle.standardError.write(Data("[\(index + 1)/\(files.count)] \(file)\n".utf8))
                let reason = try knownFailure(for: file, checks: checks, explicit: explicitList, cache: &listsByFolder)
                guard let data = FileManager.default.contents(atPath: file) else { throw ToolError("cannot read \(file)") }
                tally.report(file, failure: check.failure(forXML: [UInt8](data)) ?? typedCheck?.failure(forXML: [UInt8](data)), knownFailure: reason)
            }
            try tally.finish()
        }

        /// PASS / FAIL / XPASS / XFAIL lines, their counts, and the closing summary.
        struct Tally {
            var passed = 0, failed = 0, skipped = 0

            mutating func report(_ file: String, failure: String?, knownFailure reason: String?) {
                switch (failure, reason) {
                case (nil, nil):
                    print("PASS \(file)")
                    passed += 1
                case (let failure?, nil):
                    print("FAIL \(file): \(failure)")
                    failed += 1
                case (nil, _?):
                    print("XPASS \(file)")
                    failed += 1
                case (_?, let reason?):
                    print("XFAIL \(file): \(reason)")
                    skipped += 1
                }
            }

            /// Prints `N passed, M failed, K skipped`; exit status 1 when something failed.
            func finish() throws {
                print("\(passed) passed, \(failed) failed, \(skipped) skipped")
                if failed > 0 { throw ExitCode(1) }
            }
        }

        private func replay() async throws {
            let files = try paths.flatMap(Self.xmlFiles(at:))
            guard !files.isEmpty else { throw ToolError("no *.xml files under \(paths.joined(separator: " "))") }
            let explicitList = try knownFailures.map { try KnownFailures(contentsOf: URL(fileURLWithPath: $0)) }
            var listsByFolder: [String: KnownFailures] = [:]
            var tally = Tally()
            try await withClient(connection) { client in
                let replay = ServerReplay(client: client)
                for (index, file) in files.enumerated() {
                    FileHandle.standardError.write(Data("[\(index + 1)/\(files.count)] \(file)\n".utf8))
                    let reason = try knownFailure(for: file, checks: [peer], explicit: explicitList, cache: &listsByFolder)
                    guard let data = FileManager.default.contents(atPath: file) else { throw ToolError("cannot read \(file)") }
                    tally.report(file, failure: await replay.failure(forXML: [UInt8](data)), knownFailure: reason)
                }
            }
            try tally.finish()
        }

        /// The reason `file` is a known failure of one of `checks`: from the explicit list (matched
        /// by path suffix), else from the known-failures.txt of an enclosing `Vectors` folder.
        func knownFailure(for file: String, checks: [String], explicit: KnownFailures?, cache: inout [String: KnownFailures]) throws -> String? {
            let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
            if let explicit {
                return explicit.entries.first { checks.contains($0.check) && absolute.hasSuffix("/" + $0.path) }?.reason
            }
            var folder = URL(fileURLWithPath: absolute).deletingLastPathComponent()
            while folder.path != "/" {
                if folder.lastPathComponent == "Vectors" {
                    let list = folder.appendingPathComponent("known-failures.txt")
                    guard FileManager.default.fileExists(atPath: list.path) else { return nil }
                    if cache[folder.path] == nil { cache[folder.path] = try KnownFailures(contentsOf: list) }
                    let relative = String(absolute.dropFirst(folder.path.count + 1))
                    let folderList = cache[folder.path]
                    return checks.lazy.compactMap { folderList?.reason(for: relative, check: $0) }.first
                }
                folder = folder.deletingLastPathComponent()
            }
            return nil
        }

        /// `path` itself when it is a file, else every *.xml file below it, sorted.
        static func xmlFiles(at path: String) throws -> [String] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ToolError("no such file or directory: \(path)")
            }
            guard isDirectory.boolValue else { return [path] }
            guard let enumerator = FileManager.default.enumerator(atPath: path) else { throw ToolError("cannot list \(path)") }
            let base = path.hasSuffix("/") ? path : path + "/"
            return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".xml") }.sorted().map { base + $0 }
        }
    }
}
