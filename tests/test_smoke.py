"""The app starts, answers its health check and serves the sign-in page."""


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_sign_in_page(client):
    response = client.get("/account/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_sign_in_and_home(client, create_user, auth):
    user = create_user("staff", name="Dana Staff")
    auth.login(user)
    response = client.get("/home", follow_redirects=True)
    assert b"Dana Staff" in response.data
    assert b"Cohort" in response.data  # staff land on the cohort page
