"""The Schedules tab: global, team and model schedules, overrides and the scheduler's actions."""
