from typing import Any

from django.db import migrations

# One round trip per audit event on PostgreSQL (iptriad.audit.chain.append_event, decision 0040): the chain head
# claimed (created by the chain's first event), the time taken under its lock, the event's hash computed over the
# canonical payload Python prepared around the time and the sequence (iptriad.audit.chain.payload_parts), the event
# inserted and the head moved on. Each statement of a PL/pgSQL function sees what the one before it wrote, and the
# head's row stays locked until the caller's transaction (or, in autocommit, this statement) commits.
APPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append(
    p_chain bigint, p_organisation bigint, p_actor bigint, p_action text, p_object_type text, p_object_id text,
    p_detail jsonb, p_ip inet, p_genesis text, p_head text, p_middle text, p_tail text
) RETURNS TABLE (out_id bigint, out_sequence bigint, out_created_at timestamptz, out_previous text, out_hash text)
LANGUAGE plpgsql AS $$
DECLARE
    v_sequence bigint;
    v_previous text;
    v_created timestamptz;
    v_hash text;
    v_id bigint;
BEGIN
    INSERT INTO audit_auditchainhead AS head (chain, organisation_id, last_sequence, last_hash)
        VALUES (p_chain, p_organisation, 1, p_genesis)
        ON CONFLICT (chain) DO UPDATE SET last_sequence = head.last_sequence + 1
        RETURNING head.last_sequence, head.last_hash INTO v_sequence, v_previous;
    v_created := clock_timestamp();
    v_hash := encode(sha256(convert_to(
        v_previous || p_head
        || to_char(v_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00'
        || p_middle || v_sequence::text || p_tail,
        'UTF8')), 'hex');
    INSERT INTO audit_auditevent (organisation_id, actor_id, action, object_type, object_id, detail, ip_address,
                                  created_at, sequence, previous_hash, event_hash)
        VALUES (p_organisation, p_actor, p_action, p_object_type, p_object_id, p_detail, p_ip,
                v_created, v_sequence, v_previous, v_hash)
        RETURNING id INTO v_id;
    UPDATE audit_auditchainhead SET last_hash = v_hash WHERE chain = p_chain;
    RETURN QUERY SELECT v_id, v_sequence, v_created, v_previous, v_hash;
END
$$;
"""

DROP_APPEND_FUNCTION = """
DROP FUNCTION IF EXISTS audit_append(bigint, bigint, bigint, text, text, text, jsonb, inet, text, text, text, text);
"""


def create_append_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_FUNCTION, params=None)


def drop_append_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_refusal_windows")]

    operations = [migrations.RunPython(create_append_function, drop_append_function)]
