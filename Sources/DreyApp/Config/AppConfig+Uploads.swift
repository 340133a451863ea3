import Foundation

extension AppConfig {
    /// Where a site's uploaded files live: `<data>/uploads/<site ID>`, served at `/wp-content/uploads/`.
    public func uploadsDirectory(siteID: Int64) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("uploads").appendingPathComponent(String(siteID))
    }
}
