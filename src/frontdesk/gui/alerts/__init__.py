"""The admin's alerts: low ratings, loop-guard trips, failed deliveries, and the sync
conflicts inbox."""
