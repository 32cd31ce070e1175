"""Who is acting and what they may do: ``actor`` (the identity a service call carries),
``roles`` (the one rule deciding what an actor may do), ``identity`` (request headers and API
tokens to an actor) and ``service`` (role bindings, API tokens and the access audit)."""
