"""What an integrator does with the export file: plain web3.py, no ape, no project code.

python docs/examples/read_export.py deployments/exports/arbitrum-devnet.json [RPC_URL] [WALLET]

Lists every stock token with its raw and UI (share) supply, the ERC-8056 multiplier, and
whether WALLET may receive the token now (ERC-7943 canReceive).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

from web3 import Web3


def main(export_path: str, rpc_url: str = "http://127.0.0.1:8545", wallet: str | None = None) -> None:
    export = json.loads(open(export_path).read())
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    if w3.eth.chain_id != export["chainId"]:
        sys.exit(f"error: {rpc_url} is chain {w3.eth.chain_id}, the export is for chain {export['chainId']}")
    print(f"{export['name']} (chain {export['chainId']}): {len(export['contracts'])} contracts")
    for name, entry in sorted(export["contracts"].items()):
        if not name.startswith("StockToken_"):
            continue
        token = w3.eth.contract(address=entry["address"], abi=entry["abi"])
        raw = token.functions.totalSupply().call()
        multiplier = token.functions.uiMultiplier().call()
        decimals = token.functions.decimals().call()
        shares = Decimal(token.functions.totalSupplyUI().call()) / 10**decimals
        line = (f"{token.functions.symbol().call()}: {entry['address']}, supply {shares:,f} shares "
                f"({Decimal(raw) / 10**decimals:,f} raw), uiMultiplier {Decimal(multiplier) / 10**18:f}")
        if wallet:  # ERC-7943: may this wallet receive the token at all right now?
            line += f"; {wallet} can receive: {token.functions.canReceive(Web3.to_checksum_address(wallet)).call()}"
        print(line)


if __name__ == "__main__":
    main(*sys.argv[1:])
