// swift-kmip: `kmip-server`, the reference KMIP server as a program.

import ArgumentParser
import Foundation
import KMIPServer
import Logging

@main
struct KMIPServerTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip-server",
        abstract: "Run the swift-kmip reference KMIP server (TTLV over mutual TLS).",
        subcommands: [Serve.self, IssueClient.self, AddUser.self],
        defaultSubcommand: Serve.self)
}

/// Options shared by the subcommands.
struct DataOption: ParsableArguments {
    @Option(help: "The data directory: objects, master key, audit log, certificates.")
    var data = "./kmip-data"
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the server (the default subcommand).",
        discussion: """
            On first start it makes the data directory: objects.sqlite (every acknowledged change \
            is on disk before the answer), master.key (encrypts key material at rest, 0600), audit.log \
            and certs/ with ca.pem, server.pem, server-key.pem, client.pem and client-key.pem. A restart \
            on the same directory keeps everything. Clients must present a certificate issued by the CA; \
            its subject common name is their identity, and each object belongs to the identity that \
            created it. Prints `listening on HOST:PORT` once it accepts connections; SIGTERM or SIGINT \
            stop it.
            """)

    @OptionGroup var dataOption: DataOption

    @Option(help: "Address to listen on (loopback by default).")
    var listen = "127.0.0.1"

    @Option(help: "Port (0: any free port).")
    var port = 5696

    @Option(help: "Also serve the HTTPS profile (POST /kmip with TTLV, XML or JSON bodies) on this port (0: any free port).")
    var httpsPort: Int?

    @Flag(help: "Keep objects in memory only (nothing survives a restart).")
    var inMemory = false

    @Option(help: "The access policy (JSON grants by Object Group) instead of DIR/policy.json; without either, only owners reach their objects.")
    var policy: String?

    @Option(help: "The master key file (32 bytes) instead of DIR/master.key.")
    var masterKey: String?

    @Option(help: "The server's certificate chain (PEM) instead of DIR/certs/server.pem.")
    var cert: String?

    @Option(help: "The server's private key (PEM) instead of DIR/certs/server-key.pem.")
    var key: String?

    @Option(help: "The CA that issues client certificates (PEM) instead of DIR/certs/ca.pem.")
    var ca: String?

    @Option(help: "Close a connection that sends nothing for this many seconds (the TLS handshake included).")
    var idleTimeout = 30

    @Option(help: "Close a connection whose request does not arrive whole within this many seconds of its first byte.")
    var requestTimeout = 10

    @Option(help: "Connections open at once (both listeners each); more are closed as soon as they are accepted, and logged.")
    var maxConnections = 1000

    @Flag(help: "Require a Username and Password credential (DIR/users.json, see add-user) in every request, besides the client certificate.")
    var requireCredentials = false

    @Option(help: "Rotate the audit log when it reaches this many MiB.")
    var auditMaxMib = 64

    @Option(help: "Rotated audit logs kept (audit.log.1 ... audit.log.K).")
    var auditKeep = 5

    @Flag(help: "Log every operation to stderr.")
    var verbose = false

    func validate() throws {
        guard auditMaxMib > 0, auditMaxMib <= 1 << 20, auditKeep >= 0 else {
            throw ValidationError("--audit-max-mib must be 1 to 1048576 and --audit-keep not negative")
        }
        guard idleTimeout > 0, requestTimeout > 0, maxConnections > 0 else {
            throw ValidationError("--idle-timeout, --request-timeout and --max-connections must be positive")
        }
        if [cert, key, ca].contains(where: { $0 != nil }) && [cert, key, ca].contains(where: { $0 == nil }) {
            throw ValidationError("--cert, --key and --ca go together")
        }
    }

    func run() async throws {
        var logger = Logger(label: "kmip-server")
        logger.logLevel = verbose ? .info : .warning
        let directory = KMIPServerDataDirectory(path: dataOption.data)
        let store: any KMIPObjectStore
        var auditLog: KMIPAuditLog?
        var accessPolicy = KMIPAccessPolicy.ownerOnly
        var users: KMIPUserFile?
        let usesDirectory = !inMemory || cert == nil
        do {
            if let file = policy ?? (usesDirectory && FileManager.default.fileExists(atPath: directory.policyPath) ? directory.policyPath : nil) {
                accessPolicy = try KMIPAccessPolicy.load(from: file)
                FileHandle.standardError.write(Data("kmip-server: \(accessPolicy.grants.count) grants from \(file)\n".utf8))
            }
            if usesDirectory {
                let made = try directory.prepare(hostNames: [listen])
                for file in made { FileHandle.standardError.write(Data("kmip-server: made \(file)\n".utf8)) }
            }
            if requireCredentials {
                let file = try KMIPUserFile(path: directory.usersPath)
                guard !file.usernames.isEmpty else { throw KMIPServerSetupError("\(directory.usersPath) has no users (kmip-server add-user NAME)") }
                users = file
                FileHandle.standardError.write(Data("kmip-server: \(file.usernames.count) users from \(file.path); requests need their credentials\n".utf8))
            }
            if inMemory {
                store = InMemoryObjectStore()
            } else {
                let key = try masterKey.map(KMIPMasterKey.load(from:)) ?? KMIPMasterKey.load(from: directory.masterKeyPath)
                store = try SQLiteObjectStore(path: directory.databasePath, masterKey: key)
                auditLog = try KMIPAuditLog(path: directory.auditLogPath, maximumSize: auditMaxMib << 20, keptFiles: auditKeep)
            }
        } catch {
            FileHandle.standardError.write(Data("kmip-server: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let engine = KMIPServerEngine(store: store, policy: accessPolicy, auditLog: auditLog, credentials: users, logger: logger)
        let certificate = cert ?? directory.serverCertificatePath
        var configuration = KMIPTLSListener.Configuration(
            certificateChainFile: certificate, privateKeyFile: key ?? directory.serverKeyPath, clientCAFile: ca ?? directory.caCertificatePath)
        configuration.host = listen
        configuration.port = port
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.requestTimeout = .seconds(requestTimeout)
        configuration.maximumConnections = maxConnections
        let listener: KMIPTLSListener
        do {
            listener = try await KMIPTLSListener.start(engine: engine, configuration: configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("kmip-server: cannot listen on \(listen):\(port): \(error)\n".utf8))
            throw ExitCode(1)
        }
        var httpsListener: KMIPHTTPSListener?
        if let httpsPort {
            var httpsConfiguration = configuration
            httpsConfiguration.port = httpsPort
            do {
                httpsListener = try await KMIPHTTPSListener.start(engine: engine, configuration: httpsConfiguration, logger: logger)
            } catch {
                FileHandle.standardError.write(Data("kmip-server: cannot listen for HTTPS on \(listen):\(httpsPort): \(error)\n".utf8))
                await listener.shutdown()
                throw ExitCode(1)
            }
        }
        let certs = usesDirectory && cert == nil ? directory.certificatesPath : nil
        let connect = certs.map {
            "kmip query --server \(listen):\(listener.port) --ca \($0)/ca.pem --cert \($0)/client.pem --key \($0)/client-key.pem"
        } ?? "kmip query --server \(listen):\(listener.port) --ca CA.pem --cert CLIENT.pem --key CLIENT-KEY.pem"
        // Unbuffered, so that a process reading our output sees the line at once.
        let httpsLine = httpsListener.map { "https listening on https://\(listen):\($0.port)\(KMIPHTTPSListener.path)\n" } ?? ""
        FileHandle.standardOutput.write(Data("""
            listening on \(listen):\(listener.port)
            \(httpsLine)objects: \(inMemory ? "in memory (lost on exit)" : directory.databasePath)
            connect with: \(connect)

            """.utf8))

        // Wait for SIGTERM or SIGINT, then stop accepting and exit.
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        for await number in signals {
            FileHandle.standardError.write(Data("kmip-server: signal \(number), shutting down\n".utf8))
            break
        }
        sources.forEach { $0.cancel() }
        await listener.shutdown()
        await httpsListener?.shutdown()
        auditLog?.close()
    }
}

struct AddUser: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-user",
        abstract: "Add a user for Username and Password credentials (or change its password).",
        discussion: """
            Reads the password from the environment variable KMIP_SERVER_PASSWORD, else from the first \
            line of standard input, and keeps a salted PBKDF2-HMAC-SHA256 hash of it in DIR/users.json \
            (0600). Start the server with --require-credentials to require them.
            """)

    @Argument(help: "The username.")
    var name: String

    @OptionGroup var dataOption: DataOption

    func run() throws {
        let directory = KMIPServerDataDirectory(path: dataOption.data)
        let password = ProcessInfo.processInfo.environment["KMIP_SERVER_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
        do {
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try KMIPUserFile.addUser(name, password: password, path: directory.usersPath)
        } catch {
            FileHandle.standardError.write(Data("kmip-server: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print("added \(name) to \(directory.usersPath)")
    }
}

struct IssueClient: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue-client",
        abstract: "Make a client certificate for another identity.",
        discussion: "Writes DIR/certs/NAME.pem and DIR/certs/NAME-key.pem (0600), issued by the data directory's CA; NAME is the identity the server sees.")

    @Argument(help: "The identity (the certificate's subject common name).")
    var name: String

    @OptionGroup var dataOption: DataOption

    func run() throws {
        let directory = KMIPServerDataDirectory(path: dataOption.data)
        do {
            for file in try directory.issueClient(name) { print(file) }
        } catch {
            FileHandle.standardError.write(Data("kmip-server: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
