// The audit log's size bound: rotation at the maximum size, K files kept, nothing lost in them.

import Foundation
import KMIPServer
import Testing

@Suite("Audit log rotation")
struct AuditRotationTests {
    @Test("the log rotates at its maximum size, keeps K older files (0600), and the kept files hold the newest records without a gap")
    func rotation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-rotation-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/audit.log"
        let log = try KMIPAuditLog(path: path, maximumSize: 1000, keptFiles: 2)
        for index in 0..<200 {
            log.append(KMIPAuditLog.Record(
                time: "2026-01-01T00:00:00Z", identity: "camera", version: "2.1", operation: "Create", object: "\(index)", result: "Success"))
        }
        log.close()
        #expect(log.failedWrites == 0)

        let files = KMIPAuditLog.files(at: path)
        #expect(files == [path + ".2", path + ".1", path])
        #expect(!FileManager.default.fileExists(atPath: path + ".3"))
        for file in files {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let size = try #require(attributes[.size] as? Int)
            #expect(size < 1000 + 200, "\(file) is \(size) bytes")
            if file != path { #expect(size >= 1000) }
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        let objects = try files.flatMap { try KMIPAuditLog.records(at: $0) }.compactMap { $0.object.flatMap(Int.init) }
        #expect(objects.last == 199)
        #expect(objects == Array((200 - objects.count)..<200), "the kept records are the newest, in order, without a gap")
        #expect(objects.count >= 2 * 1000 / 120)

        // Reopening continues the current file and rotates at the same bound.
        let reopened = try KMIPAuditLog(path: path, maximumSize: 1000, keptFiles: 2)
        for index in 200..<230 {
            reopened.append(KMIPAuditLog.Record(
                time: "2026-01-01T00:00:00Z", identity: "camera", version: "2.1", operation: "Get", object: "\(index)", result: "Success"))
        }
        reopened.close()
        let after = try KMIPAuditLog.files(at: path).flatMap { try KMIPAuditLog.records(at: $0) }.compactMap { $0.object.flatMap(Int.init) }
        #expect(after.last == 229 && after == Array((230 - after.count)..<230))
        #expect(throws: KMIPServerSetupError.self) { try KMIPAuditLog(path: path, maximumSize: 0) }
    }
}
