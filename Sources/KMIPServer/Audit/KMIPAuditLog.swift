// swift-kmip: KMIPServer
//
// Who did what to which object: one JSON line per batch item, never key material.

import Foundation

/// An append-only audit log: one JSON object per line for every operation the server answers,
/// with the time, the identity, the protocol version, the operation, the object's Unique
/// Identifier (when there is one) and the result. Key material, passwords and payloads are never
/// written.
///
/// ```json
/// {"time":"2026-12-04T14:02:11Z","identity":"camera","version":"2.1","operation":"Create","object":"5c1…","result":"Success"}
/// ```
public final class KMIPAuditLog: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var handle: FileHandle?
    /// The log file.
    public let path: String

    /// Opens `path` for appending (created with mode 0600 when missing).
    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            try PrivateFile.create(at: path, contents: [])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw KMIPServerSetupError("cannot open the audit log \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    /// One audit record.
    public struct Record: Codable, Hashable, Sendable {
        /// When the server answered (UTC, ISO 8601).
        public var time: String
        /// The client's identity (its certificate's subject common name).
        public var identity: String
        /// The protocol version of the request.
        public var version: String
        /// The operation's specification name.
        public var operation: String
        /// The object operated on, when there is one.
        public var object: String?
        /// The Result Status, and the Result Reason when it failed.
        public var result: String
    }

    /// Appends a record.
    public func append(_ record: Record) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(record) else { return }
        line.append(UInt8(ascii: "\n"))
        lock.withLock { handle?.write(line) }
    }

    /// Every record in the log at `path`, oldest first.
    public static func records(at path: String) throws -> [Record] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KMIPServerSetupError("cannot read the audit log \(path)")
        }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Record.self, from: Data($0)) }
    }

    /// Closes the file.
    public func close() {
        lock.withLock {
            try? handle?.close()
            handle = nil
        }
    }
}
