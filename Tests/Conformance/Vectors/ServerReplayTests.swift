// The server level: every mandatory OASIS profile test case of KMIP 1.0 to 2.1 replayed in path
// order against one reference server (in process, over mutual TLS), each response compared with
// the expected one; what fails is listed in Vectors/known-failures.txt with CHECK `server`.

import Foundation
import KMIP
import KMIPServer
import KMIPVectorCheck
import Testing

@Suite("OASIS test cases replayed against the reference server", .serialized)
struct ServerReplayTests {
    /// The mandatory profile test cases of KMIP 1.0 to 2.1, in path order.
    static let files: [String] = {
        let root = Repository.url("Vectors/oasis-xml").path
        let enumerator = FileManager.default.enumerator(atPath: root)
        return (enumerator?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".xml") && $0.contains("mandatory/") && !$0.hasPrefix("3.0/") }
            .sorted().map { "oasis-xml/" + $0 }
    }()

    @Test("every mandatory test case passes or fails as listed, files in order against one server")
    func replayAll() async throws {
        let known = try KnownFailures(contentsOf: Repository.url("Vectors/known-failures.txt"))
        let server = try await RunningServer.start()
        let client = try server.client()
        let replay = ServerReplay(client: client)
        var passed = 0
        for path in Self.files {
            let data = try [UInt8](Data(contentsOf: Repository.url("Vectors/" + path)))
            let failure = await replay.failure(forXML: data)
            if let reason = known.reason(for: path, check: "server") {
                #expect(failure != nil, "\(path) is listed as a known failure (\(reason)) but passes")
            } else {
                #expect(failure == nil, "\(path): \(failure ?? "")")
                if failure == nil { passed += 1 }
            }
        }
        #expect(Self.files.count == 122)
        #expect(passed >= 80, "\(passed) of \(Self.files.count) passed")
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("a broken vector (a changed enumeration value, a removed field, a wrong expected result) fails with the message, the tag path, the expected and the actual value")
    func brokenVector() async throws {
        let original = try Repository.text("Vectors/oasis-xml/1.4/mandatory/SKLC-M-1-14.xml")
        // The second response expects the new key Pre-Active; make it expect Active.
        let broken = original.replacingOccurrences(
            of: #"<AttributeValue type="Enumeration" value="PreActive"/>"#, with: #"<AttributeValue type="Enumeration" value="Active"/>"#,
            options: [], range: original.range(of: #"<AttributeValue type="Enumeration" value="PreActive"/>"#))
        #expect(broken != original)
        let server = try await RunningServer.start()
        let client = try server.client()
        let failure = await ServerReplay(client: client).failure(forXML: Array(broken.utf8))
        #expect(failure == "message 4 (response to Get Attributes): ResponseMessage/BatchItem/ResponsePayload/Attribute/AttributeValue: expected Enumeration Active, got Enumeration Pre-Active")
        // A field removed from an expected response.
        let responseStart = try #require(original.range(of: "<ResponseMessage>"))
        let objectType = try #require(original.range(of: #"<ObjectType type="Enumeration" value="SymmetricKey"/>"#, range: responseStart.upperBound..<original.endIndex))
        var removed = original
        removed.removeSubrange(objectType)
        let missing = await ServerReplay(client: client).failure(forXML: Array(removed.utf8))
        #expect(missing == "message 2 (response to Create): ResponseMessage/BatchItem/ResponsePayload: expected UniqueIdentifier, got ObjectType")
        // A wrong expected result.
        let wrong = original.replacingOccurrences(
            of: #"<ResultStatus type="Enumeration" value="Success"/>"#, with: #"<ResultStatus type="Enumeration" value="OperationFailed"/>"#,
            options: [], range: original.range(of: #"<ResultStatus type="Enumeration" value="Success"/>"#))
        let result = await ServerReplay(client: client).failure(forXML: Array(wrong.utf8))
        #expect(result == "message 2 (response to Create): ResponseMessage/BatchItem/ResultStatus: expected Enumeration Operation Failed, got Enumeration Success")
        // The original passes against the same server.
        #expect(await ServerReplay(client: client).failure(forXML: Array(original.utf8)) == nil)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("$NOW is a window around the exchange: a response dated an hour off fails, naming the window")
    func nowWindow() async throws {
        let original = try Repository.text("Vectors/oasis-xml/1.4/mandatory/SKLC-M-1-14.xml")
        let shifted = original.replacingOccurrences(
            of: #"<TimeStamp type="DateTime" value="$NOW"/>"#, with: #"<TimeStamp type="DateTime" value="$NOW-3600"/>"#,
            options: [], range: original.range(of: #"<TimeStamp type="DateTime" value="$NOW"/>"#))
        let server = try await RunningServer.start()
        let client = try server.client()
        let failure = try #require(await ServerReplay(client: client).failure(forXML: Array(shifted.utf8)))
        #expect(failure.hasPrefix("message 2 (response to Create): ResponseMessage/ResponseHeader/TimeStamp: expected $NOW-3600 ("), "\(failure)")
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("`kmip vectors check --server` against `kmip-server`: a line per file, the summary, exit status 0, in a copy outside the repository")
    func toolAgainstServerProcess() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = KMIPServerDataDirectory(path: directory + "/data")
        let server = try ServerProcess(arguments: ["--data", data.path, "--in-memory"])
        defer { server.kill(SIGTERM) }
        // The same layout as Vectors/, so that --known-failures matches by path suffix.
        let copy = directory + "/cases/oasis-xml/1.4/mandatory"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in ["SKLC-M-1-14.xml", "SKFF-M-1-14.xml", "SKFF-M-4-14.xml"] {
            try FileManager.default.copyItem(atPath: Repository.url("Vectors/oasis-xml/1.4/mandatory/" + name).path, toPath: copy + "/" + name)
        }
        let arguments = ["vectors", "check", "--server", "127.0.0.1:\(server.port)", "--ca", data.caCertificatePath,
                         "--cert", data.clientCertificatePath(), "--key", data.clientKeyPath(), copy]
        let result = try ToolRunner.run(arguments)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(result.status == 1, "\(result.stdoutText)\(result.stderr)")
        #expect(lines.contains("PASS \(copy)/SKLC-M-1-14.xml"))
        #expect(lines.contains("PASS \(copy)/SKFF-M-1-14.xml"))
        // Outside Vectors/ no list applies: the 3DES case fails with its difference.
        #expect(lines.contains { $0.hasPrefix("FAIL \(copy)/SKFF-M-4-14.xml: message 2 (response to Create): ResponseMessage/BatchItem/ResultStatus: expected Enumeration Success, got Enumeration Operation Failed (Enumeration Cryptographic Failure") })
        #expect(lines.last == "2 passed, 1 failed, 0 skipped")

        // With the list given, that failure is expected.
        let listed = try ToolRunner.run(arguments.dropLast() + ["--known-failures", Repository.url("Vectors/known-failures.txt").path, copy])
        #expect(listed.status == 0, "\(listed.stdoutText)\(listed.stderr)")
        #expect(listed.stdoutText.split(separator: "\n").last == "2 passed, 0 failed, 1 skipped")
    }
}
