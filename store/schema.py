"""The DuckDB schema as an ordered list of migrations.

Each migration runs once, in one transaction, and records its number in `schema_version`, so a
store created by an older release is brought forward without losing data, and a store written by
a newer release is refused rather than silently damaged.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE orgs (
            org_id      VARCHAR PRIMARY KEY,
            name_zh     VARCHAR NOT NULL,
            name_en     VARCHAR NOT NULL DEFAULT '',
            kind        VARCHAR NOT NULL,
            parent_id   VARCHAR,
            credit_code VARCHAR UNIQUE,
            origin      VARCHAR NOT NULL,          -- catalog | demo | user
            created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        -- Every (ancestor, descendant) pair, so a bottom-up sum is one join, not a recursion.
        CREATE TABLE org_closure (
            ancestor_id   VARCHAR NOT NULL,
            descendant_id VARCHAR NOT NULL,
            depth         INTEGER NOT NULL,
            PRIMARY KEY (ancestor_id, descendant_id)
        );
        CREATE TABLE indicators (
            indicator_id  VARCHAR PRIMARY KEY,
            code          VARCHAR UNIQUE,
            name_zh       VARCHAR NOT NULL,
            name_en       VARCHAR NOT NULL,
            unit          VARCHAR NOT NULL,
            kind          VARCHAR NOT NULL,
            reported_by   VARCHAR NOT NULL,
            parent_id     VARCHAR,
            components_sum_to_parent BOOLEAN NOT NULL,
            allow_negative BOOLEAN NOT NULL,
            definition_changes JSON
        );
        CREATE SEQUENCE submission_seq START 1;
        CREATE TABLE submissions (
            submission_id  BIGINT PRIMARY KEY DEFAULT nextval('submission_seq'),
            origin         VARCHAR NOT NULL,       -- form | upload | import | demo
            file_name      VARCHAR,
            status         VARCHAR NOT NULL,       -- pending | accepted | returned
            submitted_by   VARCHAR NOT NULL,
            submitted_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
            explanation    VARCHAR,
            reviewed_by    VARCHAR,
            reviewed_at    TIMESTAMP,
            review_comment VARCHAR,
            row_count      INTEGER NOT NULL
        );
        -- A correction is a new revision; rows are never updated or deleted.
        CREATE TABLE observations (
            org_id        VARCHAR NOT NULL,
            indicator_id  VARCHAR NOT NULL,
            year          SMALLINT NOT NULL,
            quarter       TINYINT NOT NULL CHECK (quarter BETWEEN 1 AND 4),
            revision      INTEGER NOT NULL,
            value         DOUBLE NOT NULL,         -- in the indicator's canonical unit
            value_entered DOUBLE NOT NULL,         -- as typed, in unit_entered
            unit_entered  VARCHAR NOT NULL,
            submission_id BIGINT NOT NULL,
            entered_by    VARCHAR NOT NULL,
            entered_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
            note          VARCHAR,
            PRIMARY KEY (org_id, indicator_id, year, quarter, revision)
        );
        -- The figure in force: the newest accepted revision of each (org, indicator, period).
        CREATE VIEW current_observations AS
            SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id
            FROM observations o JOIN submissions s USING (submission_id)
            WHERE s.status = 'accepted'
            QUALIFY row_number() OVER (
                PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1;
        CREATE TABLE plans (
            plan_id     VARCHAR PRIMARY KEY,
            title_zh    VARCHAR NOT NULL,
            title_en    VARCHAR NOT NULL,
            issuer_zh   VARCHAR NOT NULL,
            issued      DATE NOT NULL,
            seed_file   VARCHAR NOT NULL,
            scope_id    VARCHAR NOT NULL,
            base_year   INTEGER NOT NULL,
            horizon_end INTEGER NOT NULL,
            spec        JSON NOT NULL             -- the whole validated plan, for round trips
        );
        CREATE TABLE targets (
            plan_id         VARCHAR NOT NULL,
            target_id       VARCHAR NOT NULL,
            kind            VARCHAR NOT NULL,
            name_zh         VARCHAR NOT NULL,
            name_en         VARCHAR NOT NULL,
            scope_id        VARCHAR NOT NULL,
            indicator_id    VARCHAR NOT NULL,
            comparator      VARCHAR NOT NULL,
            value           DOUBLE NOT NULL,
            unit            VARCHAR NOT NULL,
            value_canonical DOUBLE NOT NULL,
            base_year       INTEGER NOT NULL,
            target_year     INTEGER NOT NULL,
            headline        BOOLEAN NOT NULL,
            source_quote    VARCHAR NOT NULL,
            spec            JSON NOT NULL,
            PRIMARY KEY (plan_id, target_id)
        );
        CREATE TABLE incentives (
            plan_id       VARCHAR NOT NULL,
            incentive_id  VARCHAR NOT NULL,
            scope_id      VARCHAR NOT NULL,
            indicator_id  VARCHAR NOT NULL,
            threshold     DOUBLE NOT NULL,         -- canonical
            reward        DOUBLE,                  -- 万元
            min_growth    DOUBLE,                  -- fraction
            source_quote  VARCHAR NOT NULL,
            PRIMARY KEY (plan_id, incentive_id)
        );
        CREATE TABLE tasks (
            plan_id          VARCHAR NOT NULL,
            task_id          VARCHAR NOT NULL,
            section          VARCHAR NOT NULL,
            text             VARCHAR NOT NULL,
            lead_departments VARCHAR[] NOT NULL,
            phase            INTEGER NOT NULL,
            due              DATE NOT NULL,
            source_quote     VARCHAR NOT NULL,
            PRIMARY KEY (plan_id, task_id)
        );
        CREATE SEQUENCE audit_seq START 1;
        CREATE TABLE audit_log (
            audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
            logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            actor    VARCHAR NOT NULL,
            action   VARCHAR NOT NULL,
            object   VARCHAR,
            detail   JSON
        );
        CREATE TABLE settings (
            key   VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL
        );
        """,
    ),
)

MIGRATIONS += (
    (
        2,
        """
        CREATE TABLE users (
            username        VARCHAR PRIMARY KEY,
            display_name    VARCHAR NOT NULL,
            role            VARCHAR NOT NULL,
            scope_org_id    VARCHAR,               -- park (park manager) or enterprise (enterprise user)
            password_hash   VARCHAR NOT NULL,      -- bcrypt, salted; never the password itself
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_until    TIMESTAMP,
            disabled        BOOLEAN NOT NULL DEFAULT false,
            created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        """,
    ),
)

# Plans beyond revenue (Shenzhen's tasks, Zhejiang's bases). Like observations, every table keeps
# each revision: a correction is a new row, the view picks the newest.
MIGRATIONS += (
    (
        3,
        """
        CREATE TABLE task_updates (
            plan_id    VARCHAR NOT NULL,
            task_id    VARCHAR NOT NULL,
            department VARCHAR NOT NULL,          -- canonical name (domain.programme.canonical_department)
            year       SMALLINT NOT NULL,
            quarter    TINYINT NOT NULL CHECK (quarter BETWEEN 1 AND 4),
            revision   INTEGER NOT NULL,
            status     VARCHAR NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'delayed')),
            note       VARCHAR NOT NULL DEFAULT '',
            entered_by VARCHAR NOT NULL,
            entered_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (plan_id, task_id, department, year, quarter, revision)
        );
        CREATE VIEW current_task_updates AS
            SELECT * FROM task_updates
            QUALIFY row_number() OVER (
                PARTITION BY plan_id, task_id, department, year, quarter ORDER BY revision DESC) = 1;
        CREATE TABLE base_designations (
            plan_id       VARCHAR NOT NULL,
            base_id       VARCHAR NOT NULL,
            revision      INTEGER NOT NULL,
            name          VARCHAR NOT NULL,
            base_type     VARCHAR NOT NULL CHECK (base_type IN ('demonstration', 'featured', 'startup')),
            county_id     VARCHAR NOT NULL,
            year          SMALLINT NOT NULL,
            designated_on DATE NOT NULL,
            funding       DOUBLE NOT NULL,        -- 万元, the one-off provincial funding granted
            startup_teams INTEGER,                -- evidence for the start-up criterion
            withdrawn     BOOLEAN NOT NULL DEFAULT false,
            note          VARCHAR NOT NULL DEFAULT '',
            entered_by    VARCHAR NOT NULL,
            entered_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (plan_id, base_id, revision)
        );
        CREATE VIEW current_base_designations AS
            SELECT * FROM base_designations
            QUALIFY row_number() OVER (PARTITION BY plan_id, base_id ORDER BY revision DESC) = 1;
        CREATE TABLE base_reports (
            plan_id     VARCHAR NOT NULL,
            base_id     VARCHAR NOT NULL,
            year        SMALLINT NOT NULL,
            half        TINYINT NOT NULL CHECK (half IN (1, 2)),
            revision    INTEGER NOT NULL,
            received_on DATE NOT NULL,            -- when the report reached the province
            note        VARCHAR NOT NULL DEFAULT '',
            entered_by  VARCHAR NOT NULL,
            entered_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (plan_id, base_id, year, half, revision)
        );
        """,
    ),
)

# Reading speed at national size (20 M figures): the figure in force and the bottom-up sums are
# kept as tables instead of being recomputed by every read. `current_figures` holds the newest
# accepted revision of each figure (what the view used to compute with a window over every
# revision), `bottom_up` the sum and count of each organisation's reporting descendants per
# indicator and quarter (what `figures.series` used to join over the closure), `org_periods` the
# quarters with data at or below each organisation (`figures.periods`). store/figures.py keeps
# all three up to date in the same transaction as the write that changes them (a submission written
# accepted, a review accepting one, an organisation moved, an indicator's reporting level changed);
# `current_observations` keeps its name and columns, so every reader is unchanged.
MIGRATIONS += (
    (
        4,
        """
        CREATE TABLE current_figures (
            org_id        VARCHAR NOT NULL,
            indicator_id  VARCHAR NOT NULL,
            year          SMALLINT NOT NULL,
            quarter       TINYINT NOT NULL,
            value         DOUBLE NOT NULL,
            revision      INTEGER NOT NULL,
            submission_id BIGINT NOT NULL
        );
        INSERT INTO current_figures
            SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id
            FROM observations o JOIN submissions s USING (submission_id)
            WHERE s.status = 'accepted'
            QUALIFY row_number() OVER (
                PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1
            ORDER BY o.indicator_id, o.org_id, o.year, o.quarter;
        CREATE TABLE bottom_up (
            ancestor_id  VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            year         SMALLINT NOT NULL,
            quarter      TINYINT NOT NULL,
            total        DOUBLE NOT NULL,
            reporters    BIGINT NOT NULL
        );
        INSERT INTO bottom_up
            SELECT c.ancestor_id, f.indicator_id, f.year, f.quarter, sum(f.value), count(*)
            FROM current_figures f
            JOIN orgs d ON d.org_id = f.org_id
            JOIN indicators i ON i.indicator_id = f.indicator_id AND i.reported_by = d.kind
            JOIN org_closure c ON c.descendant_id = f.org_id AND c.depth > 0
            GROUP BY ALL
            ORDER BY 1, 2, 3, 4;
        -- The quarters with any figure in force at or below each organisation (the period pickers).
        CREATE TABLE org_periods (
            org_id  VARCHAR NOT NULL,
            year    SMALLINT NOT NULL,
            quarter TINYINT NOT NULL
        );
        INSERT INTO org_periods
            SELECT DISTINCT c.ancestor_id, f.year, f.quarter
            FROM (SELECT DISTINCT org_id, year, quarter FROM current_figures) f
            JOIN org_closure c ON c.descendant_id = f.org_id
            ORDER BY 1, 2, 3;
        CREATE OR REPLACE VIEW current_observations AS
            SELECT org_id, indicator_id, year, quarter, value, revision, submission_id FROM current_figures;
        """,
    ),
)

# A task is due on its own date (到2016年; Jiaxing's 半年拉框架) or at the end of its phase, and the
# plans without phases (Qingdao, Jiaxing) have tasks too: `due` is always filled, `phase` only where
# the plan has phases.
MIGRATIONS += (
    (
        5,
        """
        ALTER TABLE tasks ALTER COLUMN phase DROP NOT NULL;
        """,
    ),
)

# Statistics as a bureau publishes them (issue 15): a figure may carry its published year-on-year
# growth (同比, on the survey's comparable base, which the ratio of two published levels is not), its
# SDMX observation status (P provisional, A normal …; domain/observation.py) and the date it was
# published. A verified figure replacing a provisional one is simply its next revision, so the
# history keeps both. `published_on` NULL means "when it was entered" (entered_at): every read "as
# it stood on a date" orders revisions by coalesce(published_on, entered_at). The figure in force
# carries the rate and the status, so the current reads need no join back to the revisions.
MIGRATIONS += (
    (
        6,
        """
        ALTER TABLE observations ADD COLUMN yoy DOUBLE;           -- fraction: 0.112 is +11.2 %
        ALTER TABLE observations ADD COLUMN obs_status VARCHAR NOT NULL DEFAULT 'A';
        ALTER TABLE observations ADD COLUMN published_on TIMESTAMP;
        ALTER TABLE current_figures ADD COLUMN yoy DOUBLE;
        ALTER TABLE current_figures ADD COLUMN obs_status VARCHAR NOT NULL DEFAULT 'A';
        CREATE OR REPLACE VIEW current_observations AS
            SELECT org_id, indicator_id, year, quarter, value, revision, submission_id, yoy, obs_status
            FROM current_figures;
        """,
    ),
)

# Sign-in sessions that can be ended (issue 16): the browser's cookie holds only a random token; a
# row here holds its keyed digest, the user, and the user's session version when it was issued.
# Bumping `users.session_version` ends every session of that user at once (sign-out, a password
# reset, a role or scope change, disabling, a lock-out); store/sessions.py reads and writes both.
MIGRATIONS += (
    (
        7,
        """
        ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE sessions (
            token_digest VARCHAR PRIMARY KEY,      -- HMAC-SHA256 of the token under the cookie key; never the token
            username     VARCHAR NOT NULL,
            version      INTEGER NOT NULL,         -- users.session_version when issued
            issued_at    TIMESTAMP NOT NULL,
            expires_at   TIMESTAMP NOT NULL,       -- issued_at + TRACKER_SESSION_HOURS, never extended
            last_seen    TIMESTAMP NOT NULL
        );
        """,
    ),
)

# Single sign-on (issue 16): a provider's identity is mapped to a user by e-mail, stored in lower
# case; NULL for users who sign in with their password only. Unique, so an identity names one user.
# (After migration 7: DuckDB cannot alter a table that has an index, so the index comes last.)
MIGRATIONS += (
    (
        8,
        """
        ALTER TABLE users ADD COLUMN email VARCHAR;
        CREATE UNIQUE INDEX users_email ON users (email);
        """,
    ),
)

# The register of reporting units (issue 17): where reminders go, and what happened to each firm.
# An event is never updated: a correction is a later event. `effective` is the day it took effect;
# a firm counts where it was in each quarter (the quarter holding the day onwards), so last year's
# park sums stay as they were when a firm moves, and the survey population of a year is known.
MIGRATIONS += (
    (
        9,
        """
        ALTER TABLE orgs ADD COLUMN contact_email VARCHAR;   -- reminders and notices go here (lower case); NULL: none
        CREATE SEQUENCE org_event_seq START 1;
        CREATE TABLE org_events (
            event_id    BIGINT PRIMARY KEY DEFAULT nextval('org_event_seq'),
            org_id      VARCHAR NOT NULL,
            event       VARCHAR NOT NULL CHECK (event IN ('entered_survey', 'left_survey', 'moved', 'closed')),
            effective   DATE NOT NULL,
            from_parent VARCHAR,                    -- moved: where it was (history never reads the current tree)
            to_parent   VARCHAR,                    -- moved: the new park or district
            note        VARCHAR NOT NULL DEFAULT '',
            entered_by  VARCHAR NOT NULL,
            entered_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        -- The ancestry of an organisation quarter by quarter, for those whose ancestry was ever other
        -- than today's tree (they or an organisation above them moved): every (ancestor, descendant)
        -- pair with the quarters it held, as ordinals year * 4 + quarter - 1, both ends included.
        -- Every other organisation sat where org_closure says for all time, so the sums of the
        -- firms that never moved join org_closure as before. Derived from org_events and orgs by
        -- store/placements.py in the transaction of the write that changes it; read by the sums.
        CREATE TABLE org_closure_dated (
            ancestor_id   VARCHAR NOT NULL,
            descendant_id VARCHAR NOT NULL,
            depth         INTEGER NOT NULL,
            from_ord      INTEGER NOT NULL,
            to_ord        INTEGER NOT NULL
        );
        """,
    ),
)

# The reporting cycle (issue 17): a correction names the returned submission it answers; `digest`
# is the intent (who, and the figures as written), so a second press, a reload or the same file
# again finds the submission already made; the checks' warnings are kept with the submission, so a
# reviewer sees every flag it raised and may accept those that raised none in bulk.
MIGRATIONS += (
    (
        10,
        """
        ALTER TABLE submissions ADD COLUMN answers BIGINT;
        ALTER TABLE submissions ADD COLUMN digest VARCHAR;
        CREATE TABLE submission_flags (
            submission_id BIGINT NOT NULL,
            row_no        INTEGER,
            org_id        VARCHAR,
            indicator_id  VARCHAR,
            year          SMALLINT,
            quarter       TINYINT,
            severity      VARCHAR NOT NULL,
            code          VARCHAR NOT NULL,     -- the message code of the rule's reason
            params        JSON NOT NULL         -- its parameters, to render in either language
        );
        -- Submissions already waiting were checked before flags were kept: whether they raised any is
        -- unknown, so each carries one flag saying so, and none is accepted in bulk unread.
        INSERT INTO submission_flags (submission_id, severity, code, params)
            SELECT submission_id, 'warning', 'review.flags_unknown', '{}' FROM submissions WHERE status = 'pending';
        """,
    ),
)

# E-mail (issue 17): every reminder and notice the product sent or failed to send, for
# administrators to read. A message carrying a password is logged without its body.
MIGRATIONS += (
    (
        11,
        """
        CREATE SEQUENCE mail_seq START 1;
        CREATE TABLE mail_log (
            mail_id       BIGINT PRIMARY KEY DEFAULT nextval('mail_seq'),
            kind          VARCHAR NOT NULL,     -- reminder_before | reminder_after | returned | accepted | account
            org_id        VARCHAR,
            submission_id BIGINT,
            year          SMALLINT,
            quarter       TINYINT,
            recipient     VARCHAR NOT NULL,
            subject       VARCHAR NOT NULL,
            body          VARCHAR,
            status        VARCHAR NOT NULL CHECK (status IN ('sent', 'failed')),
            error         VARCHAR,
            actor         VARCHAR NOT NULL,
            logged_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        """,
    ),
)

# Plans as data (issue 20): the text of every plan and adjusting document the product was given,
# and every published revision of every plan — the shipped files' and those added from the app
# alike. A revision is never changed; the newest revision of a plan is the one in force.
MIGRATIONS += (
    (
        12,
        """
        CREATE TABLE plan_texts (
            text_id     VARCHAR PRIMARY KEY,   -- what a plan's seed_file names
            file_name   VARCHAR NOT NULL,      -- as it was uploaded or shipped
            sha256      VARCHAR NOT NULL,
            text        VARCHAR NOT NULL,      -- the text quotes are checked against
            added_by    VARCHAR NOT NULL,
            added_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        CREATE SEQUENCE plan_revision_seq START 1;
        CREATE TABLE plan_revisions (
            revision     BIGINT PRIMARY KEY DEFAULT nextval('plan_revision_seq'),
            plan_id      VARCHAR NOT NULL,
            version      INTEGER NOT NULL,      -- 1 as issued, one more per adjustment
            spec         JSON NOT NULL,         -- the whole validated plan (data/plans schema)
            origin       VARCHAR NOT NULL CHECK (origin IN ('file', 'app', 'cli')),
            published_by VARCHAR NOT NULL,
            published_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        );
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1][0]
