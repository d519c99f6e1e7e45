"""HomeCare "Dottoro'ta" (Makassar): red-flag gate, consent, booking, cancel and reschedule.

`parsing` reads the citizen's answers, `state` holds the conversation's slots, `booking` is the
booking form and `manage` cancels or moves a booking by its code.
"""
