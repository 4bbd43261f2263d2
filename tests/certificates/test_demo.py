"""The certificates demo step: a certified graduate whose certificate verifies as valid, with a
met first renewal cycle and a current one under way, all audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from tracker.audit.services import verify_chain
from tracker.certificates import queries
from tracker.certificates.models import Certificate
from tracker.demo import data as demo
from tracker.demo.certificates import add_demo
from tracker.extensions import db
from tracker.progress import CertificateStatus


def test_the_demo_step_adds_valid_lapsed_revoked_and_reinstated_certificates(
    app, client, monkeypatch
):
    # Only this area's step runs on top of the demo program.
    monkeypatch.setattr(demo, "_extensions", lambda: [add_demo])
    summary = demo.load_demo(password=demo.DEFAULT_PASSWORD)
    db.session.commit()
    certs = {c.printed_name: c for c in db.session.scalars(select(Certificate))}
    assert queries.standing(certs["Dr. Marcus Bell"]).status == CertificateStatus.LAPSED
    assert queries.standing(certs["Dr. Ivy Tran"]).status == CertificateStatus.REVOKED
    cert = certs["Dr. Elena Vasquez"]
    assert re.fullmatch(r"KAP-\d{4}-\d{6}", cert.number)
    standing = queries.standing(cert)
    assert standing.status == CertificateStatus.VALID
    assert standing.current_cycle is not None
    assert not standing.current_cycle.met
    assert standing.short_cycles == ()
    assert any(cert.number in note for note in summary.notes)
    assert "Valid" in client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    # Revoked by mistake, then reinstated: valid, its history showing both; the lapse stored.
    reinstated = queries.standing(certs["Dr. Samuel Okafor"])
    assert reinstated.status == CertificateStatus.VALID
    assert [c.status for c in reinstated.history] == ["valid", "revoked", "valid"]
    lapsed = queries.standing(certs["Dr. Marcus Bell"])
    assert [(c.status, c.kind) for c in lapsed.history][-1] == ("lapsed", "rule")
    assert lapsed.since == lapsed.history[-1].since
    checked, broken = verify_chain()
    assert broken is None and checked > 0
