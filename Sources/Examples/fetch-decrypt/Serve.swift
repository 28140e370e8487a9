// swift-kmip: `fetch-decrypt serve` and `fetch-decrypt users`: the web viewer (ClipViewer) over
// the clip store and the KMIP server.

import ArgumentParser
import ClipSupport
import ClipTools
import ClipViewer
import Crypto
import Foundation
import KMIP
import Logging
import SealedFile

extension FetchDecrypt {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the clips to signed-in users in a browser, decrypted on the fly (docs/Viewer.md).",
            discussion: """
                HTTPS on loopback by default, with a certificate generated into the state directory \
                unless --tls-cert/--tls-key are given. Users are managed with `fetch-decrypt users`. \
                Video is decrypted chunk by chunk as the browser asks (Range requests); no plaintext \
                is written to disk. Keys are cached for --key-cache seconds and dropped when the KMIP \
                server says they are destroyed. Every view is written to the access log.
                """)

        @OptionGroup var options: CommonOptions

        @Option(help: "The viewer's state directory: users file, access log, generated certificate.")
        var state = "./viewer-state"

        @Option(help: "The address to listen on (loopback by default).")
        var listen = "127.0.0.1"

        @Option(help: "The port (0: any free port).")
        var port = 8443

        @Option(help: "PEM certificate chain to serve instead of the generated one.")
        var tlsCert: String?

        @Option(help: "PEM private key of --tls-cert.")
        var tlsKey: String?

        @Option(help: "Seconds a fetched key is kept in memory.")
        var keyCache = 60

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
            guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
            guard (0...3600).contains(keyCache) else { throw ValidationError("--key-cache must be 0 to 3600 seconds") }
        }

        func run() async throws {
            let cache = try options.makeCache()
            let client = try options.kmip.makeClient(logLabel: "fetch-decrypt.serve")
            var configuration = ViewerConfiguration(stateDirectory: state, host: listen, port: port)
            if let tlsCert, let tlsKey { configuration.tls = .files(certificateChain: tlsCert, privateKey: tlsKey) }
            configuration.keyCacheLifetime = .seconds(keyCache)
            var logger = Logger(label: "fetch-decrypt.serve")
            logger.logLevel = .info
            let server = ClipViewerServer(
                configuration: configuration, clips: StoreClipSource(cache: cache, client: client),
                keys: { header in try await Self.key(client, header) }, logger: logger)
            do {
                let sources = "clips from \(ClipLog.redact(cache.store.location)), keys from \(options.kmip.location)"
                try await server.run(handlingSignals: true) { endpoint in
                    var lines = "viewer listening on \(endpoint.url)\n"
                    if let certificate = endpoint.certificateChainFile { lines += "certificate: \(certificate) (trust it in the browser, or give --tls-cert)\n" }
                    FileHandle.standardOutput.write(Data((lines + sources + "\n").utf8))
                }
            } catch {
                await client.shutdown()
                throw ServeFailure("\(error)")
            }
            await client.shutdown()
        }

        /// The key of a clip, from the KMIP server; a destroyed key says so.
        static func key(_ client: KMIPClient, _ header: SealedFileHeader) async throws -> Crypto.SymmetricKey {
            do {
                return Crypto.SymmetricKey(data: try await ClipKeys.material(client, .text(header.keyIdentifier)))
            } catch let error as KMIPOperationError where error.resultReason == .objectDestroyed {
                throw ViewerKeyError.destroyed(keyIdentifier: header.keyIdentifier)
            } catch {
                throw ViewerKeyError.unavailable(keyIdentifier: header.keyIdentifier, reason: "\(error)")
            }
        }
    }

    struct Users: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the web viewer's users (bcrypt-hashed, in STATE/users.json, mode 0600).",
            subcommands: [Add.self, Remove.self, List.self])

        struct Location: ParsableArguments {
            @Option(help: "The viewer's state directory.")
            var state = "./viewer-state"

            var users: ViewerUsers {
                get throws {
                    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    return ViewerUsers(path: state + "/users.json")
                }
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a user, or change a password with --replace. The password is read from the terminal (not echoed) or from standard input, never from the command line.")

            @OptionGroup var location: Location

            @Argument(help: "The user name.")
            var name: String

            @Flag(help: "Replace the password of an existing user.")
            var replace = false

            func run() throws {
                let password: String
                if isatty(STDIN_FILENO) != 0 {
                    guard let typed = getpass("password for \(name): ") else { throw ValidationError("no password given") }
                    password = String(cString: typed)
                } else {
                    password = (readLine(strippingNewline: true) ?? "")
                }
                try location.users.add(name, password: password, replacing: replace)
                print("user \(name) \(replace ? "updated" : "added") in \(location.state)/users.json")
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a user.")

            @OptionGroup var location: Location

            @Argument(help: "The user name.")
            var name: String

            func run() throws {
                try location.users.remove(name)
                print("user \(name) removed")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the users.")

            @OptionGroup var location: Location

            func run() throws {
                for name in try location.users.names() { print(name) }
            }
        }
    }
}

/// The clips of a store, through the local cache of sealed files, with their keys' states from
/// the KMIP server.
struct StoreClipSource: ViewerClipSource {
    let cache: SealedClipCache
    let client: KMIPClient

    func clips() async throws -> [ViewerClip] {
        let entries: [SealedClipCache.Entry]
        do { entries = try await cache.entries().entries } catch {
            throw ViewerClipError.unavailable("cannot list \(ClipLog.redact(cache.store.location)): \(error)")
        }
        var states: [String: String] = [:]
        for id in Set(entries.map(\.header.keyIdentifier)) { states[id] = await ClipKeys.stateText(client, .text(id)) }
        return entries.filter { ViewerClip.isValidName($0.clip.name) }.reversed().map { entry in
            ViewerClip(
                name: entry.clip.name, recorded: entry.captured, size: entry.clip.size, keyIdentifier: entry.header.keyIdentifier,
                keyState: states[entry.header.keyIdentifier] ?? "unknown")
        }
    }

    func sealedFile(named name: String) async throws -> String {
        guard ViewerClip.isValidName(name) else { throw ViewerClipError.invalidName(name) }
        do { return try await cache.fetch(named: name) } catch let error as ClipStoreError where error.message.hasPrefix("there is no clip") {
            throw ViewerClipError.notFound(name)
        } catch {
            throw ViewerClipError.unavailable("\(error)")
        }
    }
}

struct ServeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
