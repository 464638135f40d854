"""What runs with nobody waiting: each job a function of (desk, store, slack client, now)."""
