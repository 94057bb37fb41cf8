"""Journey Bot: the services behind the Rasa assistant (journey detection, storage, content)."""
