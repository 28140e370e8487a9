// The reference server's durable side: the SQLite store across restarts, key material encrypted
// at rest and shredded on Destroy, a SIGKILL in the middle of a stream of Creates, the data
// directory's generated certificates, issue-client and the audit log.

import Foundation
import GRDB
import Synchronization
import KMIP
import KMIPServer
import Testing

/// A new empty directory under the system's temporary directory.
func makeTemporaryDirectory(_ prefix: String = "swift-kmip-test") throws -> String {
    var template = Array("\(NSTemporaryDirectory())/\(prefix).XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    return String(cString: made)
}

/// A direct connection to a store's database for a test to inspect or change, waiting (as the
/// store does) rather than failing while another connection briefly holds a lock.
func openDatabase(_ path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    return try DatabaseQueue(path: path, configuration: configuration)
}

/// Every regular file under `directory`, with its bytes.
func filesWithContents(under directory: String) -> [(path: String, bytes: [UInt8])] {
    let enumerator = FileManager.default.enumerator(atPath: directory)
    var files: [(String, [UInt8])] = []
    while let relative = enumerator?.nextObject() as? String {
        let path = directory + "/" + relative
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        {
            files.append((path, Array(data)))
        }
    }
    return files
}

/// The files under `directory` that contain `needle`.
func files(under directory: String, containing needle: [UInt8]) -> [String] {
    filesWithContents(under: directory).filter { file in
        guard needle.count <= file.bytes.count else { return false }
        guard let first = needle.first else { return true }
        var start = 0
        while let index = file.bytes[start...].firstIndex(of: first), index + needle.count <= file.bytes.count {
            if file.bytes[index..<index + needle.count].elementsEqual(needle) { return true }
            start = index + 1
        }
        return false
    }.map(\.path)
}

/// A `kmip-server` process on a data directory.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    /// The HTTPS profile's port, when started with --https-port.
    let httpsPort: Int?

    init(arguments: [String]) throws {
        process.executableURL = try #require(ToolRunner.executable).deletingLastPathComponent().appendingPathComponent("kmip-server")
        process.arguments = arguments + ["--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("objects: ") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("listening on ") }, "kmip-server printed: \(text)")
        port = try #require(line.split(separator: ":").last.flatMap { Int($0) })
        httpsPort = text.split(separator: "\n").first { $0.hasPrefix("https listening on ") }
            .flatMap { $0.split(separator: ":").last?.split(separator: "/").first.flatMap { Int($0) } }
    }

    func client(directory: KMIPServerDataDirectory, identity: String = "client") throws -> KMIPClient {
        let tls = KMIPTLSConfiguration(
            identity: .pemFiles(certificateChain: directory.clientCertificatePath(identity), privateKey: directory.clientKeyPath(identity)),
            trustRoots: .pemFile(directory.caCertificatePath))
        var configuration = KMIPClientConfiguration(endpoints: [.init(host: "127.0.0.1", port: port)], tls: tls)
        configuration.requestTimeout = .seconds(10)
        return try KMIPClient(configuration: configuration)
    }

    func kill(_ signal: Int32 = SIGKILL) {
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }
}

/// A count shared by the Create streams and the task that kills the server.
private final class AcknowledgedCount: Sendable {
    let value = Atomic<Int>(0)
}

@Suite("Reference server: durable store, shredding, certificates, audit", .serialized)
struct DurableServerTests {
    @Test("objects, attributes and key material survive reopening the database; another master key is refused")
    func reopen() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let masterKey = KMIPMasterKey.random()
        let path = directory + "/objects.sqlite"
        var before: [StoredObject] = []
        do {
            let store = try SQLiteObjectStore(path: path, masterKey: masterKey)
            let server = try await RunningServer.start(store: store)
            let client = try server.client()
            let key = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "clip-key", objectGroup: "camera-1")
            try await client.activate(key)
            _ = try await client.perform(AddAttributeRequest(uniqueIdentifier: key, attribute: try Attribute(name: "x-Site", "north")))
            let secret = SecretData(secretDataType: .password, keyBlock: KeyBlock(keyFormatType: .opaque, keyValue: .plain(.bytes(Array("ftp-password".utf8)))))
            _ = try await client.register(.secretData(secret))
            let gone = try await client.createSymmetricKey(algorithm: .aes, length: 128)
            try await client.destroy(gone)
            before = try await store.objects()
            await client.shutdown()
            await server.listener.shutdown()
        }
        #expect(before.count == 3)
        #expect(before.filter { $0.object != nil }.count == 2)
        let reopened = try SQLiteObjectStore(path: path, masterKey: masterKey)
        #expect(try await reopened.objects() == before)
        #expect(try await reopened.object(before[0].id)?.attributes.all("x-Site").first?.value == .textString("north"))

        let wrongKey = #expect(throws: KMIPServerSetupError.self) { try SQLiteObjectStore(path: path, masterKey: .random()) }
        #expect(wrongKey?.message.contains("master key") == true)
    }

    @Test("the database syncs every commit (synchronous FULL, WAL) and refuses rows changed without the master key")
    func durableAndAuthenticated() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/objects.sqlite"
        let masterKey = KMIPMasterKey.random()
        let store = try SQLiteObjectStore(path: path, masterKey: masterKey)
        #expect(try await store.pragma("synchronous") == 2)
        #expect(try await store.pragma("secure_delete") == 1)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let server = try await RunningServer.start(store: store)
        let client = try server.client()
        let uid = try await client.createSymmetricKey(algorithm: .aes, length: 256, objectGroup: "camera")
        let id = try #require(uid.text)
        await client.shutdown()
        await server.listener.shutdown()

        // Someone with write access to the file but not the master key hands the key to themselves.
        let writer = try openDatabase(path)
        try await writer.write { try $0.execute(sql: "UPDATE object SET owner = 'mallory' WHERE id = ?", arguments: [id]) }
        try writer.close()
        let error = await #expect(throws: KMIPServerSetupError.self) { _ = try await store.object(id) }
        #expect(error?.message.contains("changed outside the server") == true, "\(error?.message ?? "")")
    }

    @Test("concurrent requests on one object do not undo a Destroy")
    func concurrentDestroy() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteObjectStore(path: directory + "/objects.sqlite", masterKey: .random())
        let engine = KMIPServerEngine(store: store)
        var ids: [String] = []
        for _ in 0..<20 {
            let response = await engine.handle(
                RequestMessage(protocolVersion: .v2_1, payload: CreateRequest(objectType: .symmetricKey, attributes: KMIPClient.symmetricKeyAttributes(algorithm: .aes, length: 128))),
                identity: "camera")
            let created = try #require(response.batchItems.first?.payload(as: CreateResponse.self))
            ids.append(try #require(created.uniqueIdentifier.text))
        }
        await withTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    _ = await engine.handle(RequestMessage(protocolVersion: .v2_1, payload: DestroyRequest(uniqueIdentifier: .text(id))), identity: "camera")
                }
                for value in 0..<3 {
                    group.addTask {
                        _ = await engine.handle(
                            RequestMessage(protocolVersion: .v2_1, payload: AddAttributeRequest(uniqueIdentifier: .text(id), attribute: try! Attribute(name: "x-N", "\(value)"))),
                            identity: "camera")
                    }
                }
            }
        }
        for id in ids {
            let stored = try #require(try await store.object(id))
            #expect(stored.object == nil, "\(id) has its material back")
            #expect(stored.attributes.state == .destroyed)
        }
    }

    @Test("key material is never in the data files in the clear, and after Destroy not even encrypted")
    func cryptoShredding() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/objects.sqlite"
        let store = try SQLiteObjectStore(path: path, masterKey: .random())
        let server = try await RunningServer.start(store: store)
        let client = try server.client()
        let uid = try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "shred-me")
        let id = try #require(uid.text)
        let key = try #require(try await client.get(uid).object.keyBlock?.keyBytes)
        #expect(key.count == 32)

        let sealed: [UInt8] = try await {
            let reader = try openDatabase(path)
            defer { try? reader.close() }
            let blob = try await reader.read { try Data.fetchOne($0, sql: "SELECT material FROM object WHERE id = ?", arguments: [id]) }
            return Array(try #require(blob))
        }()
        #expect(files(under: directory, containing: key).isEmpty, "the key is in the clear on disk")
        // The search works: the encrypted material is on disk while the key lives.
        #expect(!files(under: directory, containing: sealed).isEmpty)

        try await client.destroy(uid)
        #expect(try await client.getAttributes(uid, [.state]).state == .destroyed)
        #expect(files(under: directory, containing: sealed).isEmpty, "the destroyed key's encrypted material is still on disk")
        #expect(files(under: directory, containing: key).isEmpty)
        await client.shutdown()
        await server.listener.shutdown()
    }

    @Test("SIGKILL in the middle of a stream of Creates: after a restart every acknowledged Create is there, nothing is half-written")
    func killedDuringCreates() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = KMIPServerDataDirectory(path: directory + "/data")
        let first = try ServerProcess(arguments: ["--data", data.path])
        let client = try first.client(directory: data)
        // Kill once the streams are under way, not after a fixed time: on a loaded machine the
        // first handshake alone can take longer than any fixed delay.
        let acknowledgedCount = AcknowledgedCount()
        let acknowledged = await withTaskGroup(of: [UniqueIdentifier].self) { group in
            for stream in 0..<4 {
                group.addTask {
                    var ids: [UniqueIdentifier] = []
                    while true {
                        do {
                            ids.append(try await client.createSymmetricKey(algorithm: .aes, length: 256, name: "stream-\(stream)-\(ids.count)"))
                            acknowledgedCount.value.add(1, ordering: .relaxed)
                        } catch {
                            return ids
                        }
                    }
                }
            }
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(60)
                while acknowledgedCount.value.load(ordering: .relaxed) < 16, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                first.kill()
                return []
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        await client.shutdown()
        #expect(acknowledged.count >= 8, "too few Creates before the kill to test anything: \(acknowledged.count)")

        let second = try ServerProcess(arguments: ["--data", data.path])
        defer { second.kill(SIGTERM) }
        let after = try second.client(directory: data)
        for id in acknowledged {
            let attributes = try await after.getAttributes(id, [.state, .cryptographicLength, .name])
            #expect(attributes.state == State.preActive, "\(id)")
            #expect(attributes.cryptographicLength == 256, "\(id)")
            #expect(attributes.names.count == 1, "\(id)")
        }
        // Every object in the database reads back whole: acknowledged ones plus at most one
        // unacknowledged Create per stream that committed before the kill.
        var filter = Attributes()
        filter.objectType = .symmetricKey
        let stored = try await after.locate(filter)
        #expect(Set(acknowledged).isSubset(of: Set(stored)))
        #expect(stored.count <= acknowledged.count + 4)
        for id in stored {
            #expect(try await after.get(id).object.keyBlock?.keyBytes?.count == 32, "\(id)")
        }
        await after.shutdown()
    }

    @Test("generated certificates, issue-client for a second identity, ownership, and an audit log without key material")
    func certificatesIdentitiesAndAudit() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = KMIPServerDataDirectory(path: directory + "/data")
        let server = try ServerProcess(arguments: ["--data", data.path])
        for file in [data.caCertificatePath, data.serverCertificatePath, data.serverKeyPath, data.clientCertificatePath(), data.clientKeyPath(), data.masterKeyPath] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
        for secret in [data.serverKeyPath, data.clientKeyPath(), data.masterKeyPath, data.certificatesPath + "/ca-key.pem"] {
            let mode = try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(secret) has mode \(String(mode ?? 0, radix: 8))")
        }

        let issue = Process()
        issue.executableURL = server.process.executableURL
        issue.arguments = ["issue-client", "viewer", "--data", data.path]
        issue.standardOutput = FileHandle.nullDevice
        try issue.run()
        issue.waitUntilExit()
        #expect(issue.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: data.clientCertificatePath("viewer")))

        let camera = try server.client(directory: data)
        let viewer = try server.client(directory: data, identity: "viewer")
        let uniqueIdentifier = try await camera.createSymmetricKey(algorithm: .aes, length: 256, name: "camera-key")
        let id: String? = uniqueIdentifier.text
        let key = try #require(try await camera.get(uniqueIdentifier).object.keyBlock?.keyBytes)
        let refused = await #expect(throws: KMIPOperationError.self) { try await viewer.get(uniqueIdentifier) }
        #expect(refused?.resultReason == .permissionDenied)
        await camera.shutdown()
        await viewer.shutdown()
        server.kill(SIGTERM)

        let records = try KMIPAuditLog.records(at: data.auditLogPath)
        let created = records.filter { $0.identity == "client" && $0.operation == "Create" && $0.object == id }
        #expect(created.map(\.result) == ["Success"], "\(records)")
        #expect(records.contains { $0.identity == "client" && $0.operation == "Get" && $0.object == id })
        let refusedRecords = records.filter { $0.identity == "viewer" && $0.operation == "Get" && $0.object == id }
        #expect(refusedRecords.count == 1 && refusedRecords[0].result.contains("Permission"), "\(records)")
        #expect(files(under: data.path, containing: key).isEmpty, "key material on disk")

        let again = Process()
        again.executableURL = server.process.executableURL
        again.arguments = ["issue-client", "viewer", "--data", data.path]
        again.standardError = FileHandle.nullDevice
        try again.run()
        again.waitUntilExit()
        #expect(again.terminationStatus == 1, "issuing an existing identity again must fail")
    }
}

@Suite("Reference server: access policy", .serialized)
struct AccessPolicyTests {
    @Test("a policy grants exactly what it says: the viewer Gets the camera's group, the administrator Revokes and Destroys, nothing more")
    func grants() async throws {
        let policy = KMIPAccessPolicy(grants: [
            .init(identity: "viewer", objectGroup: "camera", operations: [.get, .getAttributes, .locate]),
            .init(identity: "admin", objectGroup: "camera", operations: [.revoke, .destroy, .locate]),
        ])
        let engine = KMIPServerEngine(store: InMemoryObjectStore(), policy: policy)
        var configuration = KMIPTLSListener.Configuration(
            certificateChainFile: TestCertificates.path("server.pem"), privateKeyFile: TestCertificates.path("server.key"),
            clientCAFile: TestCertificates.path("ca.pem"))
        configuration.port = 0
        let server = RunningServer(listener: try await KMIPTLSListener.start(engine: engine, configuration: configuration), engine: engine)
        let camera = try server.client("camera")
        let viewer = try server.client("viewer")
        let admin = try server.client("admin")

        let inGroup = try await camera.createSymmetricKey(algorithm: .aes, length: 256, name: "clip-key", objectGroup: "camera")
        let elsewhere = try await camera.createSymmetricKey(algorithm: .aes, length: 256, name: "other-key", objectGroup: "private")
        try await camera.activate(inGroup)

        #expect(try await viewer.get(inGroup).object.keyBlock?.keyBytes?.count == 32)
        #expect(try await viewer.getAttributes(inGroup, [.state]).state == .active)
        #expect(try await viewer.locate() == [inGroup])
        for refused in [
            { try await viewer.get(elsewhere) as Any },
            { try await viewer.revoke(inGroup) as Any },
            { try await viewer.destroy(inGroup) as Any },
            { try await admin.get(inGroup) as Any },
            { try await admin.revoke(elsewhere) as Any },
        ] {
            let error = await #expect(throws: KMIPOperationError.self) { _ = try await refused() }
            #expect(error?.resultReason == .permissionDenied)
        }
        #expect(try await admin.locate() == [inGroup])
        try await admin.revoke(inGroup, reason: .cessationOfOperation)
        try await admin.destroy(inGroup)
        #expect(try await camera.getAttributes(inGroup, [.state]).state == .destroyed)
        #expect(try await camera.locate() == [elsewhere], "a destroyed object is not located by default")
        for client in [camera, viewer, admin] { await client.shutdown() }
        await server.listener.shutdown()
    }

    @Test("a bad policy file is refused with the file, the grant and what is wrong")
    func badFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/policy.json"
        let cases: [(String, String)] = [
            (#"{"grants": [{"identity": "viewer", "objectGroup": "camera", "operations": ["Get", "Fetch"]}]}"#, "grant 1 names an unknown operation 'Fetch'"),
            (#"{"grants": [{"identity": "a", "objectGroup": "g", "operations": ["Get"]}, {"identity": "b", "objectGroup": "g", "operations": ["Create"]}]}"#, "grant 2: Create makes new objects"),
            (#"{"grants": [{"identity": "", "objectGroup": "g", "operations": []}]}"#, "grant 1 needs a non-empty identity"),
            (#"{"rules": []}"#, "is not a JSON object with a \"grants\" array"),
        ]
        for (text, message) in cases {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: KMIPServerSetupError.self) { try KMIPAccessPolicy.load(from: path) }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(path) == true)
        }
        let good = KMIPAccessPolicy(grants: [.init(identity: "*", objectGroup: "camera", operations: [.get, .getAttributes])])
        try good.encoded().write(to: URL(fileURLWithPath: path))
        #expect(try KMIPAccessPolicy.load(from: path) == good)
    }
}
