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

    /// Opens `path` for appending (created with mode 0600 when missing). Every record is one
    /// `write` to a file opened with `O_APPEND`, so records from several processes, or after a
    /// log rotation that truncates the file, stay whole lines.
    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw KMIPServerSetupError("cannot open the audit log \(path): \(String(cString: strerror(errno)))")
        }
        self.handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Records that could not be written (a full disk, an I/O error); each failure is also
    /// reported on stderr.
    public var failedWrites: Int { lock.withLock { failures } }
    private var failures = 0

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
        lock.withLock {
            do {
                try handle?.write(contentsOf: line)
            } catch {
                // Never take the server down for its log; say so where an operator looks.
                failures += 1
                try? FileHandle.standardError.write(contentsOf: Data("kmip-server: cannot write the audit log \(path): \(error)\n".utf8))
            }
        }
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
