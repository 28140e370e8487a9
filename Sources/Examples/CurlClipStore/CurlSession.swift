// swift-kmip: CurlClipStore
//
// One libcurl easy handle, used by one store operation on one thread. libcurl's calls block, so
// operations run on a dispatch queue of their own, off Swift's cooperative pool.

import CCurl
import ClipSupport
import Dispatch
import Foundation
import Synchronization

/// libcurl's global state, set up once per process before the first handle.
enum CurlGlobal {
    static let initialized: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// The queue blocking transfers run on (a concurrent queue: each operation gets a thread).
    static let queue = DispatchQueue(label: "swift-kmip.curl-clip-store", attributes: .concurrent)
}

/// Set when the task waiting for an operation is cancelled; the progress callback then aborts.
final class CancelFlag: Sendable {
    let cancelled = Atomic<Bool>(false)
}

/// Where received bytes go, and where sent bytes come from.
final class TransferBuffers {
    var received = [UInt8]()
    /// A file descriptor received bytes are written to instead of `received`.
    var sink: Int32 = -1
    /// A file descriptor uploads read from.
    var source: Int32 = -1
    /// errno of a failed read or write of `source` or `sink`.
    var fileError: Int32 = 0
    /// The most a listing may hold in memory.
    static let listingLimit = 64 << 20
    /// The most the transfer may hold in memory (``listingLimit`` unless set for this request).
    var receiveLimit = listingLimit
    /// Whether bytes past `receiveLimit` end the transfer with what has arrived (reading a
    /// prefix) rather than failing it (a listing too long to hold).
    var stopAtLimit = false
    /// Set when the transfer was ended because `receiveLimit` was reached with `stopAtLimit`.
    var stoppedAtLimit = false
}

/// An easy handle with the store's common options, its error buffer and callbacks.
final class CurlSession {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    let buffers = TransferBuffers()
    let cancel: CancelFlag
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    init(cancel: CancelFlag) throws(ClipStoreError) {
        guard CurlGlobal.initialized == CURLE_OK else {
            throw ClipStoreError("libcurl could not be initialised: \(String(cString: curl_easy_strerror(CurlGlobal.initialized)))")
        }
        guard let handle = curl_easy_init() else { throw ClipStoreError("libcurl could not make a handle") }
        self.handle = handle
        self.cancel = cancel
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    /// Clears the options of the previous request (the connection stays open for the next one).
    func reset() {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        buffers.received.removeAll(keepingCapacity: true)
        buffers.sink = -1
        buffers.source = -1
        buffers.fileError = 0
        buffers.receiveLimit = TransferBuffers.listingLimit
        buffers.stopAtLimit = false
        buffers.stoppedAtLimit = false
    }

    // MARK: Options

    func set(_ option: CURLoption, _ value: Int) throws(ClipStoreError) {
        try check(ccurl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws(ClipStoreError) {
        try set(option, value ? 1 : 0)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(ClipStoreError) {
        try check(ccurl_setopt_offset(handle, option, curl_off_t(value)), option)
    }

    /// libcurl copies strings it is given, so they need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws(ClipStoreError) {
        let code = value.withCString { ccurl_setopt_string(handle, option, $0) }
        try check(code, option)
    }

    /// A list of commands (quote options); freed with the session.
    func set(_ option: CURLoption, list: [String]) throws(ClipStoreError) {
        var head: UnsafeMutablePointer<curl_slist>?
        for item in list {
            guard let next = curl_slist_append(head, item) else {
                if let head { curl_slist_free_all(head) }
                throw ClipStoreError("libcurl could not make a command list")
            }
            head = next
        }
        guard let head else { return }
        lists.append(head)
        try check(ccurl_setopt_list(handle, option, head), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(ClipStoreError) {
        guard code == CURLE_OK else {
            throw ClipStoreError(
                "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code))) (is libcurl 7.85 or later installed?)")
        }
    }

    /// The error buffer, the progress callback (for cancellation) and the buffers' callbacks.
    func setCallbacks() throws(ClipStoreError) {
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        try set(CURLOPT_NOPROGRESS, false)
        try check(ccurl_setopt_progress_callback(handle) { context, _, _, _, _ in
            guard let context else { return 0 }
            let flag = Unmanaged<CancelFlag>.fromOpaque(context).takeUnretainedValue()
            return flag.cancelled.load(ordering: .relaxed) ? 1 : 0
        }, CURLOPT_XFERINFOFUNCTION)
        try check(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(cancel).toOpaque()), CURLOPT_XFERINFODATA)

        let buffers = Unmanaged.passUnretained(self.buffers).toOpaque()
        try check(ccurl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let buffers = Unmanaged<TransferBuffers>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard length > 0, let data else { return 0 }
            if buffers.sink >= 0 {
                var done = 0
                while done < length {
                    let written = Foundation.write(buffers.sink, data + done, length - done)
                    if written < 0 {
                        if errno == EINTR { continue }
                        buffers.fileError = errno
                        return 0
                    }
                    done += written
                }
                return length
            }
            guard buffers.received.count + length <= buffers.receiveLimit else {
                guard buffers.stopAtLimit else { return 0 }
                // Keep what fits and end the transfer: a server may ignore the requested range.
                let room = buffers.receiveLimit - buffers.received.count
                data.withMemoryRebound(to: UInt8.self, capacity: room) {
                    buffers.received.append(contentsOf: UnsafeBufferPointer(start: $0, count: room))
                }
                buffers.stoppedAtLimit = true
                return 0
            }
            data.withMemoryRebound(to: UInt8.self, capacity: length) {
                buffers.received.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
            return length
        }, CURLOPT_WRITEFUNCTION)
        try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, buffers), CURLOPT_WRITEDATA)
        try check(ccurl_setopt_data_callback(handle, CURLOPT_READFUNCTION) { data, size, count, context in
            let buffers = Unmanaged<TransferBuffers>.fromOpaque(context!).takeUnretainedValue()
            guard let data, buffers.source >= 0 else { return Int(CURL_READFUNC_ABORT) }
            while true {
                let read = Foundation.read(buffers.source, data, size * count)
                if read >= 0 { return read }
                if errno == EINTR { continue }
                buffers.fileError = errno
                return Int(CURL_READFUNC_ABORT)
            }
        }, CURLOPT_READFUNCTION)
        try check(ccurl_setopt_pointer(handle, CURLOPT_READDATA, buffers), CURLOPT_READDATA)
    }

    // MARK: Running

    /// Runs the request; on failure, curl's error code and text.
    func perform() -> (code: CURLcode, text: String)? {
        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return nil }
        var text = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { text = String(cString: curl_easy_strerror(code)) }
        if code == CURLE_ABORTED_BY_CALLBACK, cancel.cancelled.load(ordering: .relaxed) { text = "cancelled" }
        if buffers.fileError != 0 { text += " (local file: \(String(cString: strerror(buffers.fileError))))" }
        return (code, text)
    }

    /// The size libcurl learnt of the remote file (SIZE over FTP, stat over SFTP), if any.
    var contentLength: Int64? {
        var value: curl_off_t = -1
        guard ccurl_getinfo_offset(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &value) == CURLE_OK, value >= 0 else { return nil }
        return Int64(value)
    }

    /// The last FTP reply code.
    var responseCode: Int {
        var value = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value)
        return value
    }
}

/// Runs `body` with a fresh session on the blocking queue; cancelling the task aborts the transfer.
func withCurlSession<T: Sendable>(_ body: @escaping @Sendable (CurlSession) throws -> T) async throws -> T {
    let cancel = CancelFlag()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            CurlGlobal.queue.async {
                continuation.resume(with: Result { try body(try CurlSession(cancel: cancel)) })
            }
        }
    } onCancel: {
        cancel.cancelled.store(true, ordering: .relaxed)
    }
}
