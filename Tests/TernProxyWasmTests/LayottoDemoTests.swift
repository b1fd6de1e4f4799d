import TernProxyWasm
import XCTest

/// The Layotto FaaS demo reproduced with C functions: id_1 reads `name`
/// from the query, invokes id_2 with it, and id_2 reads the inventory from
/// state store `state_demo` (book1 = 100).
final class LayottoDemoTests: XCTestCase {
    private func demoRouter() throws -> FunctionRouter {
        let router = FunctionRouter()
        XCTAssertEqual(try router.install("function_1"), "id_1")
        XCTAssertEqual(try router.install("function_2"), "id_2")
        return router
    }

    func testFunction1InvokesFunction2ThroughTheStateStore() throws {
        let router = try demoRouter()
        let response = try router.handle("id_1", FunctionRequest(query: "name=book1", headers: [("id", "id_1")]))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "There are 100 inventories for book1.")
        // proxy_on_log ran (the Go demo logs from OnHttpStreamDone there).
        XCTAssertTrue(router.logger.messages.contains { $0.functionID == "id_1" && $0.message.hasSuffix(" finished") })
    }

    func testABodyTakesPrecedenceOverTheQuery() throws {
        let router = try demoRouter()
        let response = try router.handle("id_1", FunctionRequest(method: "POST", query: "name=book1",
                                                                 body: Array("name=book2".utf8)))
        XCTAssertEqual(response.text, "There are 7 inventories for book2.")
    }

    func testAMissingKeyIsAnEmptyValue() throws {
        let router = try demoRouter()
        let response = try router.handle("id_1", FunctionRequest(query: "name=book9"))
        XCTAssertEqual(response.text, "There are  inventories for book9.")
    }

    func testAMissingParameterIsLoggedAndAnswersNothing() throws {
        let router = try demoRouter()
        let response = try router.handle("id_1", FunctionRequest(query: "title=book1"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "")
        XCTAssertTrue(router.logger.contains("id_1", .error, "param not found: name"))
    }

    func testInvokingAnUninstalledFunctionFailsForTheGuestOnly() throws {
        let router = FunctionRouter()
        try router.install("function_1")
        let response = try router.handle("id_1", FunctionRequest(query: "name=book1"))
        XCTAssertEqual(response.text, "")
        XCTAssertTrue(router.logger.contains("id_1", .error, "invoke service failed"))
        XCTAssertEqual(router.idleCount("id_1"), 1, "the instance stays usable")
    }

    func testAnInstanceServesManyRequests() throws {
        let router = try demoRouter()
        for _ in 0..<20 {
            XCTAssertEqual(try router.handle("id_1", FunctionRequest(query: "name=book2")).text,
                           "There are 7 inventories for book2.")
        }
        XCTAssertEqual(router.idleCount("id_1"), 1)
        XCTAssertEqual(router.idleCount("id_2"), 1)
    }
}
