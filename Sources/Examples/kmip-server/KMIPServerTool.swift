// swift-kmip: `kmip-server`, the reference KMIP server as a program.
//
// This first version keeps objects in memory (nothing survives a restart) and takes its TLS
// certificates as files; the persistent store and generated certificates come with the rest of
// the reference-server issue.

import ArgumentParser
import Foundation
import KMIPServer
import Logging

@main
struct KMIPServerTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip-server",
        abstract: "Run the swift-kmip reference KMIP server (TTLV over mutual TLS).",
        discussion: """
            Objects are kept in memory for now: nothing survives a restart. Clients must present a \\
            certificate issued by --ca; its subject common name is their identity, and each object \\
            belongs to the identity that created it. Prints `listening on HOST:PORT` once it accepts \\
            connections; SIGTERM or SIGINT stop it.
            """)

    @Option(help: "Address to listen on (loopback by default).")
    var listen = "127.0.0.1"

    @Option(help: "Port (0: any free port).")
    var port = 5696

    @Option(help: "The server's certificate chain (PEM).")
    var cert: String

    @Option(help: "The server's private key (PEM).")
    var key: String

    @Option(help: "The CA that issues client certificates (PEM).")
    var ca: String

    @Flag(help: "Log every operation to stderr.")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "kmip-server")
        logger.logLevel = verbose ? .info : .warning
        let engine = KMIPServerEngine(store: InMemoryObjectStore(), logger: logger)
        var configuration = KMIPTLSListener.Configuration(certificateChainFile: cert, privateKeyFile: key, clientCAFile: ca)
        configuration.host = listen
        configuration.port = port
        let listener: KMIPTLSListener
        do {
            listener = try await KMIPTLSListener.start(engine: engine, configuration: configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("kmip-server: cannot listen on \(listen):\(port): \(error)\n".utf8))
            throw ExitCode(1)
        }
        // Unbuffered, so that a process reading our output sees the line at once.
        FileHandle.standardOutput.write(Data("""
            listening on \(listen):\(listener.port)
            connect with: kmip query --server \(listen):\(listener.port) --ca CA.pem --cert CLIENT.pem --key CLIENT-KEY.pem

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
    }
}
