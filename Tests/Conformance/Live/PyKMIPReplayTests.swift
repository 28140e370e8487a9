// The server level against PyKMIP 0.11.0: the mandatory profile test cases of KMIP 1.0 to 2.0
// (PyKMIP refuses 2.1) replayed in path order; what PyKMIP does differently is listed in
// Vectors/known-failures.txt with CHECK `pykmip` and a reason, and must keep failing.

import Foundation
import KMIP
import KMIPVectorCheck
import Testing

@Suite("Live: OASIS test cases replayed against PyKMIP", .enabled(if: PyKMIP.isRunning, "needs a PyKMIP server (scripts/pykmip.sh; scripts/test.sh starts one)"), .serialized)
struct PyKMIPReplayTests {
    @Test("the mandatory test cases of KMIP 1.0 to 2.0 pass or fail as listed for PyKMIP")
    func replay() async throws {
        let known = try KnownFailures(contentsOf: Repository.url("Vectors/known-failures.txt"))
        let files = ServerReplayTests.files.filter { !$0.hasPrefix("oasis-xml/2.1/") }
        var configuration = PyKMIP.configuration()
        configuration.requestTimeout = .seconds(5)
        let client = try KMIPClient(configuration: configuration)
        let replay = ServerReplay(client: client)
        var passed = 0
        for path in files {
            let failure = await replay.failure(forXML: try [UInt8](Data(contentsOf: Repository.url("Vectors/" + path))))
            if let reason = known.reason(for: path, check: "pykmip") {
                #expect(failure != nil, "\(path) is listed for PyKMIP (\(reason)) but passes")
            } else {
                #expect(failure == nil, "\(path): \(failure ?? "")")
                if failure == nil { passed += 1 }
            }
        }
        #expect(files.count == 90)
        #expect(passed >= 11)
        await client.shutdown()
    }
}
