// The HTTPS profile end to end: the client's HTTPS transport against the reference server's
// HTTPS listener, with TTLV, XML and JSON bodies, over mutual TLS.

import AsyncHTTPClient
import Foundation
import KMIP
import KMIPServer
import KMIPVectorCheck
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// A reference server with both listeners on free loopback ports.
struct RunningHTTPSServer {
    let tls: KMIPTLSListener
    let https: KMIPHTTPSListener
    let engine: KMIPServerEngine

    static func start() async throws -> RunningHTTPSServer {
        let engine = KMIPServerEngine(store: InMemoryObjectStore())
        var configuration = KMIPTLSListener.Configuration(
            certificateChainFile: TestCertificates.path("server.pem"), privateKeyFile: TestCertificates.path("server.key"),
            clientCAFile: TestCertificates.path("ca.pem"))
        configuration.port = 0
        let tls = try await KMIPTLSListener.start(engine: engine, configuration: configuration)
        let https = try await KMIPHTTPSListener.start(engine: engine, configuration: configuration)
        return RunningHTTPSServer(tls: tls, https: https, engine: engine)
    }

    func client(_ encoding: KMIPClientConfiguration.HTTPSEncoding, identity: String = "camera", version: KMIPVersion? = nil) throws -> KMIPClient {
        let tls = KMIPTLSConfiguration(
            identity: .pemFiles(certificateChain: TestCertificates.path("\(identity).pem"), privateKey: TestCertificates.path("\(identity).key")),
            trustRoots: .pemFile(TestCertificates.path("ca.pem")))
        var configuration = KMIPClientConfiguration(endpoints: [.init(host: "127.0.0.1", port: https.port)], tls: tls)
        configuration.transport = .https(encoding: encoding)
        if let version { configuration.versionPolicy = .fixed(version) }
        configuration.requestTimeout = .seconds(10)
        return try KMIPClient(configuration: configuration)
    }

    func shutdown() async {
        await tls.shutdown()
        await https.shutdown()
    }
}

@Suite("HTTPS profile: client and reference server", .serialized)
struct HTTPSProfileTests {
    @Test("negotiate, create, get, locate, a batch with the ID Placeholder, with each body encoding", arguments: KMIPClientConfiguration.HTTPSEncoding.allCases)
    func operations(_ encoding: KMIPClientConfiguration.HTTPSEncoding) async throws {
        let server = try await RunningHTTPSServer.start()
        let client = try server.client(encoding)
        #expect(try await client.protocolVersion() == .v2_1)
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "https-\(encoding)")
        #expect(try await client.get(id).object.keyBlock?.keyBytes?.count == 32)
        var filter = Attributes()
        filter.names = [Name(nameValue: "https-\(encoding)", nameType: .uninterpretedTextString)]
        #expect(try await client.locate(filter) == [id])

        var batch = KMIPBatch()
        batch.add(CreateRequest(objectType: .symmetricKey, attributes: KMIPClient.symmetricKeyAttributes(algorithm: .aes, length: 128)))
        batch.add(ActivateRequest())
        batch.add(GetRequest())
        let results = try await client.perform(batch)
        guard case .success(.get(let got)) = results[2] else { Issue.record("\(results)"); return }
        #expect(got.object.keyBlock?.keyBytes?.count == 16)

        // The same objects over TTLV: one engine behind both listeners.
        let ttlv = try RunningServer(listener: server.tls, engine: server.engine).client()
        #expect(try await ttlv.get(id).object.keyBlock?.keyBytes == (try await client.get(id).object.keyBlock?.keyBytes))
        await ttlv.shutdown()
        await client.shutdown()
        await server.shutdown()
    }

    @Test("the original system's way, KMIP 1.2 in XML over HTTPS; and OASIS test cases replayed with XML bodies")
    func replayOverXML() async throws {
        let server = try await RunningHTTPSServer.start()
        let client = try server.client(.xml, version: .v1_2)
        let id = try await client.createSymmetricKey(algorithm: .aes, length: 128, name: "camera-1.2")
        try await client.activate(id)
        #expect(try await client.get(id).object.keyBlock?.keyBytes?.count == 16)
        #expect(try await client.protocolVersion() == .v1_2)
        let replay = ServerReplay(client: client)
        for path in ["oasis-xml/1.4/mandatory/SKLC-M-1-14.xml", "oasis-xml/2.1/mandatory/CS-BC-M-10-21.xml"] {
            let data = try [UInt8](Data(contentsOf: Repository.url("Vectors/" + path)))
            let failure = await replay.failure(forXML: data)
            #expect(failure == nil, "\(path): \(failure ?? "")")
        }
        await client.shutdown()
        await server.shutdown()
    }

    @Test("HTTP-level mistakes get HTTP answers: wrong path 404, GET 405, unknown Content-Type 415; no client certificate, no TLS session")
    func httpErrors() async throws {
        let server = try await RunningHTTPSServer.start()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(TestCertificates.path("ca.pem")))
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(TestCertificates.path("camera.pem")).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: TestCertificates.path("camera.key"), format: .pem))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        func status(_ path: String, method: HTTPMethod = .POST, type: String = "application/octet-stream") async throws -> UInt {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(server.https.port)\(path)")
            request.method = method
            request.headers.add(name: "Content-Type", value: type)
            if method == .POST { request.body = .bytes(ByteBuffer(bytes: [0x42])) }
            let response = try await http.execute(request, timeout: .seconds(10))
            return response.status.code
        }
        #expect(try await status("/other") == 404)
        #expect(try await status("/kmip", method: .GET) == 405)
        #expect(try await status("/kmip", type: "text/plain") == 415)
        // A body that is not a KMIP message: a KMIP answer (Invalid Message) in the body's encoding.
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(server.https.port)/kmip")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml")
        request.body = .bytes(ByteBuffer(string: "<RequestMessage><Nonsense/></RequestMessage>"))
        let response = try await http.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(body.contains("InvalidMessage"), "\(body)")
        try await http.shutdown()

        var anonymous = TLSConfiguration.makeClientConfiguration()
        anonymous.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(TestCertificates.path("ca.pem")))
        let stranger = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: anonymous))
        await #expect(throws: (any Error).self) { _ = try await stranger.execute(HTTPClientRequest(url: "https://127.0.0.1:\(server.https.port)/kmip"), timeout: .seconds(10)) }
        try await stranger.shutdown()
        await server.shutdown()
    }

    @Test("`kmip create --https URL --encoding xml` and `kmip get` against kmip-server --https-port")
    func tool() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = KMIPServerDataDirectory(path: directory + "/data")
        let server = try ServerProcess(arguments: ["--data", data.path, "--in-memory", "--https-port", "0"])
        defer { server.kill(SIGTERM) }
        let url = "https://127.0.0.1:\(try #require(server.httpsPort))/kmip"
        let connection = ["--https", url, "--encoding", "xml", "--ca", data.caCertificatePath, "--cert", data.clientCertificatePath(), "--key", data.clientKeyPath()]
        let created = try ToolRunner.run(["create", "--algorithm", "AES", "--length", "256", "--name", "over-https"] + connection)
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require(created.stdoutText.split(separator: "\n").last.map(String.init))
        let got = try ToolRunner.run(["get", id] + connection)
        #expect(got.status == 0, "\(got.stderr)")
        #expect(got.stdoutText.contains("AES"))
        let both = try ToolRunner.run(["query", "--server", "127.0.0.1:\(server.port)", "--https", url])
        #expect(both.status == 2)
    }
}
