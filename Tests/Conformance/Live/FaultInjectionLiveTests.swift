// The client's retry rules against a real PyKMIP server behind a fault-injecting proxy
// (scripts/fault-proxy.py): the proxy drops a request, cuts a response or stalls, and counts the
// requests that reached the server. Idempotent operations recover; a Create is never sent twice
// and is reported as possibly executed.

import Foundation
import Testing
import KMIP

/// A running fault proxy in front of the PyKMIP server.
final class FaultProxy {
    let process = Process()
    let port: Int
    let countFile: URL

    init(modes: [String]) throws {
        countFile = FileManager.default.temporaryDirectory.appendingPathComponent("fault-proxy-\(UUID().uuidString).count")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Repository.url("scripts/fault-proxy.py").path, "--upstream", "127.0.0.1:\(PyKMIP.environment["PYKMIP_PORT"] ?? "")",
            "--modes", modes.joined(separator: ","), "--count-file", countFile.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ready "), let port = Int(text.dropFirst(6)) else {
            process.terminate()
            throw KMIPError(.connectionFailed, "the fault proxy did not start: '\(text)'")
        }
        self.port = port
    }

    /// Requests that reached the server.
    var forwarded: Int {
        Int((try? String(contentsOf: countFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    }

    func client(requestTimeout: Duration = .seconds(5)) throws -> KMIPClient {
        var configuration = PyKMIP.configuration(version: .fixed(.v1_4))
        configuration.endpoints = [.init(host: "127.0.0.1", port: port)]
        configuration.requestTimeout = requestTimeout
        configuration.maximumConnections = 1
        return try KMIPClient(configuration: configuration)
    }

    deinit {
        process.terminate()
        try? FileManager.default.removeItem(at: countFile)
    }
}

@Suite("Live: retries through a fault-injecting proxy", .enabled(if: PyKMIP.isRunning, "needs a PyKMIP server (scripts/pykmip.sh; scripts/test.sh starts one)"), .serialized)
struct FaultInjectionLiveTests {
    /// A key to read, made directly (not through the proxy).
    static func makeKey(name: String) async throws -> UniqueIdentifier {
        let direct = try PyKMIP.client(.v1_4)
        defer { Task { await direct.shutdown() } }
        return try await direct.createSymmetricKey(algorithm: .aes, length: 128, name: name)
    }

    static func count(named name: String) async throws -> Int {
        let direct = try PyKMIP.client(.v1_4)
        defer { Task { await direct.shutdown() } }
        var filter = Attributes()
        filter.names = [Name(nameValue: name, nameType: .uninterpretedTextString)]
        return try await direct.locate(filter).count
    }

    @Test("response cut after the server executed: Get is retried and succeeds; Create fails as possibly executed, once")
    func cutResponse() async throws {
        let key = try await Self.makeKey(name: "fault-get-\(UUID().uuidString)")
        let proxy = try FaultProxy(modes: ["cut-response", "pass"])
        let client = try proxy.client()
        #expect(try await client.get(key).objectType == .symmetricKey)
        #expect(proxy.forwarded == 2)  // the lost answer's request, then the retry
        await client.shutdown()

        let name = "fault-create-\(UUID().uuidString)"
        let createProxy = try FaultProxy(modes: ["cut-response", "pass"])
        let createClient = try createProxy.client()
        let error = await #expect(throws: KMIPError.self) {
            _ = try await createClient.createSymmetricKey(algorithm: .aes, length: 128, name: name)
        }
        #expect(error?.code == .responseLost)
        #expect(error?.serverMayHaveExecuted == true)
        #expect(createProxy.forwarded == 1)  // never sent twice
        #expect(try await Self.count(named: name) == 1)  // and it did execute
        await createClient.shutdown()
    }

    @Test("request dropped before the server saw it: Get recovers; Create is not re-sent and nothing was created")
    func dropRequest() async throws {
        let key = try await Self.makeKey(name: "fault-drop-\(UUID().uuidString)")
        let proxy = try FaultProxy(modes: ["drop-request", "pass"])
        let client = try proxy.client()
        #expect(try await client.get(key).uniqueIdentifier == key)
        #expect(proxy.forwarded == 1)
        await client.shutdown()

        let name = "fault-drop-create-\(UUID().uuidString)"
        let createProxy = try FaultProxy(modes: ["drop-request", "pass"])
        let createClient = try createProxy.client()
        let error = await #expect(throws: KMIPError.self) {
            _ = try await createClient.createSymmetricKey(algorithm: .aes, length: 128, name: name)
        }
        // The client cannot tell a dropped request from a lost answer: it says "may have executed".
        #expect(error?.serverMayHaveExecuted == true)
        #expect(createProxy.forwarded == 0)
        #expect(try await Self.count(named: name) == 0)
        await createClient.shutdown()
    }

    @Test("a stalled response ends at the request timeout: Get retries, Create does not")
    func stall() async throws {
        let key = try await Self.makeKey(name: "fault-stall-\(UUID().uuidString)")
        let proxy = try FaultProxy(modes: ["stall", "pass"])
        let client = try proxy.client(requestTimeout: .seconds(1))
        let started = ContinuousClock.now
        #expect(try await client.get(key).uniqueIdentifier == key)
        // The proxy never answers the first request: only the 1 s timeout ends it. The bound leaves
        // room for two TLS handshakes with PyKMIP on a loaded machine (4.04 s seen in CI).
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(proxy.forwarded == 2)
        await client.shutdown()

        let name = "fault-stall-create-\(UUID().uuidString)"
        let createProxy = try FaultProxy(modes: ["stall", "pass"])
        let createClient = try createProxy.client(requestTimeout: .seconds(1))
        let error = await #expect(throws: KMIPError.self) {
            _ = try await createClient.createSymmetricKey(algorithm: .aes, length: 128, name: name)
        }
        #expect(error?.code == .responseLost)
        #expect(createProxy.forwarded == 1)
        #expect(try await Self.count(named: name) == 1)
        await createClient.shutdown()
    }

    @Test("a task cancelled while its Create is in flight gets 'may have executed', and nothing is re-sent")
    func cancellation() async throws {
        let name = "fault-cancel-\(UUID().uuidString)"
        let proxy = try FaultProxy(modes: ["stall"])
        let client = try proxy.client(requestTimeout: .seconds(30))
        let task = Task { try await client.createSymmetricKey(algorithm: .aes, length: 128, name: name) }
        #expect(await eventually { proxy.forwarded == 1 }, "the Create never reached the server")
        task.cancel()
        let result = await task.result
        guard case .failure(let failure) = result, let error = failure as? KMIPError else {
            Issue.record("expected a KMIPError, got \(result)"); return
        }
        #expect(error.serverMayHaveExecuted)
        #expect(proxy.forwarded == 1)
        await client.shutdown()
    }
}
