"""Public-hearing dashboards: live what-if controls served by Voilà, offline."""
