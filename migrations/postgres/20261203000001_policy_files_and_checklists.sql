-- Signed originals on policy pages, example images on the catalogue's attachment slots, and the
-- policy versions a request was submitted under.
-- Kept in step with ../sqlite/20261203000001_policy_files_and_checklists.sql by the schema parity test.

-- Files an editor attached to a page, in a draft or a version. Claimed files are no longer
-- staged uploads: they are never purged as abandoned, and nobody deletes them.
CREATE TABLE policy_files (
    attachment_id BIGINT PRIMARY KEY REFERENCES attachments (id),
    page_id BIGINT NOT NULL REFERENCES policy_pages (id) ON DELETE CASCADE
);
CREATE INDEX policy_files_page ON policy_files (page_id);

-- The files of each published version, in the editor's order; immutable like the version.
CREATE TABLE policy_version_files (
    page_id BIGINT NOT NULL,
    number BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    attachment_id BIGINT NOT NULL REFERENCES policy_files (attachment_id),
    PRIMARY KEY (page_id, number, seq),
    FOREIGN KEY (page_id, number) REFERENCES policy_versions (page_id, number)
);
CREATE INDEX policy_version_files_attachment ON policy_version_files (attachment_id);

-- Example images of the request types' attachment slots: what a qualifying document looks like.
CREATE TABLE slot_examples (
    attachment_id BIGINT PRIMARY KEY REFERENCES attachments (id)
);

-- The versions of the pages a request's type links to that were in force at submission.
CREATE TABLE request_policy_versions (
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    page_id BIGINT NOT NULL REFERENCES policy_pages (id),
    version BIGINT NOT NULL,
    PRIMARY KEY (request_id, page_id)
);
