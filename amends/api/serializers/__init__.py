"""What the API accepts and returns, one module per resource. Input serializers only parse and check
shapes (ids to instances, choices, lengths); the rules of the process stay in the services they feed."""
