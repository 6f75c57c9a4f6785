"""The automation engine: dispatcher, action handlers, durable timers, scheduler."""
