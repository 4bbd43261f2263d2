"""Enrollments: a trainee's way through one program, with its pinned requirements, waivers and
supervisor assignments."""
