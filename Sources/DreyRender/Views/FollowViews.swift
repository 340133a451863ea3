import Foundation
import Mustache

/// The pages of following by email: "check your inbox", the confirmation and unsubscribe pages with their button,
/// and the follow form coming back with what was typed.
public struct FollowPage: Sendable, MustacheParent {
    public var chrome: Chrome
    public var heading: String
    public var message: String
    public var errors: [String]
    /// A form with one button (confirm, unsubscribe), posting `token` back to `actionURL`.
    public var actionURL: String
    public var token: String
    public var button: String
    /// The follow form again, with what was typed.
    public var followForm: FollowBox?

    public init(
        chrome: Chrome, heading: String, message: String, errors: [String] = [], actionURL: String = "", token: String = "",
        button: String = "", followForm: FollowBox? = nil
    ) {
        self.chrome = chrome
        self.heading = heading
        self.message = message
        self.errors = errors
        self.actionURL = actionURL
        self.token = token
        self.button = button
        self.followForm = followForm
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "chrome": return chrome
        case "heading": return heading
        case "message": return nonEmpty(message)
        case "errors": return errors.isEmpty ? false : errors
        case "hasButton": return !button.isEmpty
        case "actionURL": return actionURL
        case "token": return token
        case "button": return button
        case "follows": return followForm ?? false
        default: return nil
        }
    }
}

/// What the post page offers under the post: the follow form, the comment form's boxes, and the likes.
public struct FollowBox: Sendable, MustacheParent {
    public var actionURL: String
    public var postID: Int64
    public var email: String
    public var blogWording: String
    public var threadWording: String
    /// The page's own form token (`FormToken.placeholder`), filled per response.
    public var token: String

    public init(actionURL: String, postID: Int64, email: String = "", blogWording: String, threadWording: String, token: String) {
        self.actionURL = actionURL
        self.postID = postID
        self.email = email
        self.blogWording = blogWording
        self.threadWording = threadWording
        self.token = token
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "actionURL": return actionURL
        case "postID": return postID
        case "email": return email
        case "blogWording": return blogWording
        case "threadWording": return threadWording
        case "token": return token
        default: return nil
        }
    }
}

/// "N bloggers like this", with their faces; the button's state is a hole filled per reader.
public struct LikesView: Sendable, MustacheParent {
    public var count: Int
    public var faces: [LikerFace]
    /// `PageHole` marker (or the rendered button until holes land).
    public var buttonHTML: String

    public init(count: Int = 0, faces: [LikerFace] = [], buttonHTML: String = "") {
        self.count = count
        self.faces = faces
        self.buttonHTML = buttonHTML
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "count": return count
        case "any": return count > 0
        case "text": return count == 1 ? "One blogger likes this." : "\(count) bloggers like this."
        case "faces": return faces
        case "buttonHTML": return buttonHTML
        default: return nil
        }
    }
}

/// A reader who likes a post: name, face, and their site when they gave one.
public struct LikerFace: Sendable, MustacheParent {
    public var name: String
    public var photoURL: String
    public var website: String

    public init(name: String, photoURL: String, website: String) {
        self.name = name
        self.photoURL = photoURL
        self.website = website
    }

    public func child(named name: String) -> Any? {
        switch name {
        case "name": return self.name.isEmpty ? "Someone" : self.name
        case "photoURL": return photoURL
        case "website": return nonEmpty(website)
        default: return nil
        }
    }
}
