// libFuzzer target for the reference server's request path (KMIPServerEngine with an in-memory
// store), on any TTLV input.
//
// Built by Fuzz/fuzz.sh against KMIPTTLV, KMIPXML, KMIP and KMIPServer (without their NIO parts).
// Invariants on every input that decodes to a Request Message:
//   - the engine answers without crashing;
//   - its answer always encodes (a server must never be left without a response to send), has
//     at least one batch item, and decodes back strictly.

import Dispatch
import KMIP
import KMIPServer
import Logging

let quiet: Logger = {
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    return logger
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func serverFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var options = TTLVDecodingOptions(maximumMessageSize: 1 << 20, maximumDepth: 32, maximumItemCount: 10_000)
    options.strictness = .tolerant
    guard let tree = try? TTLVDecoder(options: options).decode(input), let request = try? RequestMessage(tree: tree) else { return 0 }
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var response: ResponseMessage?
    Task {
        // A fresh engine and store per input: inputs stay independent and the store does not grow.
        let engine = KMIPServerEngine(store: InMemoryObjectStore(), logger: quiet)
        response = await engine.handle(request, identity: "fuzz")
        done.signal()
    }
    done.wait()
    guard let response else { fatalError("no response") }
    if response.batchItems.isEmpty { fatalError("a response without batch items") }
    guard let bytes = try? response.ttlvBytes() else { fatalError("the engine's response does not encode: \(response)") }
    guard (try? ResponseMessage(ttlv: bytes, context: .strict)) != nil else { fatalError("the engine's response does not decode strictly") }
    return 0
}
