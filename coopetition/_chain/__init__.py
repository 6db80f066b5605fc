"""The chain runtime: networks (``network``, ``providers``), the local anvil (``devnet``), accounts
and keystores (``accounts``), the transaction pipeline (``tx`` with ``txdata``, ``failures``,
``receipts``), nonces (``nonce``), fees (``fees``) and deployment records (``records``, with the
crash-safe deploy protocol in ``deployments``). Private: the public names are re-exported from
:mod:`coopetition`."""
